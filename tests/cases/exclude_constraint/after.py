import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Booking(Base):
    __tablename__ = "booking"
    __table_args__ = (
        postgresql.ExcludeConstraint(
            ("room", "="),
            ("during", "&&"),
            name="ex_booking_overlap",
            using="gist",
            where=sa.text("room > 0"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    room: Mapped[int]
    during: Mapped[str] = mapped_column(postgresql.TSRANGE)
