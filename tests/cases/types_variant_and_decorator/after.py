import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Upper(sa.types.TypeDecorator):
    impl = sa.String(40)
    cache_ok = True


class Thing(Base):
    __tablename__ = "thing"
    id: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[str] = mapped_column(sa.String(50).with_variant(sa.JSON(), "sqlite"))
    code: Mapped[str] = mapped_column(Upper())
