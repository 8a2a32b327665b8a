import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Ticket(Base):
    __tablename__ = "ticket"
    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(
        sa.Enum(
            "open",
            "waiting",
            "done",
            name="ticket_state",
            native_enum=False,
            create_constraint=True,
        )
    )
