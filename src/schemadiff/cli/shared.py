"""The options several commands share, each declared once: a ``[tool.schemadiff]`` key's
``Flag`` (in ``config.keys``, with its check and help), or a ``Run`` here for the others.
``Command`` adds them to a command and runs it inside the boundary; ``options_of`` reads what
they were given into ``api.Options``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperOption

from schemadiff.cli.boundary import boundary, log_debug
from schemadiff.escape import printable
from schemadiff.render import Format, formats_of

if TYPE_CHECKING:
    from typer._click import Context  # what typer hands a command: typer.Context's base

    from schemadiff import api
    from schemadiff.config.keys import Key

Revisions = Annotated[
    list[str] | None,
    typer.Argument(help="Like git diff: none, A, A..B, A...B or A B.", show_default=False),
]
Staged = Annotated[
    bool, typer.Option("--staged", "--cached", help="Compare HEAD (or A) with the index.")
]


@dataclass(frozen=True, slots=True)
class Run:
    """An option of several commands that is no ``[tool.schemadiff]`` key: where to run, the
    cache, where the older side may come from, ``--debug``. Its value reaches ``options_of``
    (or ``Command.invoke``) under the name of its ``api.Options`` field."""

    field: str
    names: tuple[str, ...]
    help: str
    commands: tuple[str, ...] | None = None
    """The commands that take it; None: every command."""
    metavar: str | None = None
    envvar: str | None = None

    @property
    def flag(self) -> bool:
        return self.metavar is None


COMPARING = ("diff", "check", "revision")  # config.keys.COMPARING, checked by a test
RUN = (
    Run("directory", ("-C",), "Run as if started in this directory, like git -C.", metavar="DIR"),
    Run("no_cache", ("--no-cache",), "Import every side; neither read nor write the cache."),
    Run(
        "from_snapshot",
        ("--from-snapshot",),
        "Take the older side from this snapshot file (its newest entry).",
        COMPARING,
        metavar="FILE",
    ),
    Run(
        "from_db",
        ("--from-db",),
        "Take the older side from this database, reflected.",
        COMPARING,
        metavar="URL",
    ),
    Run(
        "fallback_db",
        ("--fallback-db",),
        "Reflect this database when git, the cache and snapshots cannot give the older side.",
        COMPARING,
        metavar="URL",
        envvar="SCHEMADIFF_FALLBACK_DB",
    ),
    Run("debug", ("--debug",), "Show full tracebacks and child output."),
)
_GIVEN = "schemadiff.given"
"""Where in ``ctx.meta`` the shared options leave their values, by field."""


def _record(ctx: typer.Context, param: TyperOption, value: object) -> object:
    assert param.name is not None
    ctx.meta.setdefault(_GIVEN, {})[param.name] = value
    return value


def _shared(command: str) -> list[TyperOption]:
    """The options ``command`` shares with others, after its own: the keys with a flag for
    it (declared with their check in ``config.keys``), those of fewer commands first, then
    the ``RUN`` options."""
    from schemadiff.config.keys import KEYS  # not for `schemadiff --help`

    keyed = [key for key in KEYS.values() if key.flag and command in key.flag.commands]
    keyed.sort(key=lambda key: len(key.flag.commands) if key.flag else 0)  # its own first
    runs = [_run_option(run) for run in RUN if run.commands is None or command in run.commands]
    return [*map(_key_option, keyed), *runs]


def _key_option(key: Key) -> TyperOption:
    assert key.flag is not None
    flag = key.flag
    negated = f"{key.option}/--no-{key.option.removeprefix('--')}" if flag.negatable else None
    return TyperOption(
        param_decls=[key.field, negated or key.option],
        type=None if flag.takes in (bool, list) else flag.takes,
        default=None if flag.takes is not list else (),
        is_flag=flag.takes is bool,
        multiple=flag.takes is list,
        metavar=flag.metavar,
        help=flag.help,
        expose_value=False,
        callback=_record,
    )


def _run_option(run: Run) -> TyperOption:
    return TyperOption(
        param_decls=[run.field, *run.names],
        is_flag=run.flag,
        default=False if run.flag else None,
        metavar=run.metavar,
        envvar=run.envvar,
        show_envvar=run.envvar is not None,
        help=run.help,
        expose_value=False,
        callback=_record,
    )


class Command(TyperCommand):
    """A command with the options it shares (``_shared``), run inside the one boundary where
    failures become exit codes. The shared options are added when the command is parsed or
    its help shown (``get_params``): ``schemadiff --help`` needs none of them."""

    def __init__(self, name: str | None, **settings: Any) -> None:
        super().__init__(name, **settings)
        self._shared_added = False

    def get_params(self, ctx: Context) -> list[Any]:
        self.with_shared()
        return super().get_params(ctx)

    def with_shared(self) -> list[Any]:
        """Its parameters, the shared options added once."""
        if not self._shared_added:
            self.params.extend(_shared(self.name or ""))
            self._shared_added = True
        return list(self.params)

    def invoke(self, ctx: Context) -> Any:
        debugging = bool(ctx.meta[_GIVEN]["debug"])
        if debugging:
            log_debug()
        return boundary(lambda: super(Command, self).invoke(ctx), debugging)


def _value(key: Key, value: object) -> object:
    """A plain flag left off is not given (None); ``--x/--no-x`` says either."""
    plain = key.flag is not None and key.flag.takes is bool and not key.flag.negatable
    return (value or None) if plain else value


def options_of(ctx: typer.Context) -> api.Options:
    """What the shared options say: the keys' values as overrides (checked when a side's
    settings are resolved), the others as they are. A flag left off is not given, so
    pyproject.toml still decides."""
    from schemadiff import api
    from schemadiff.config.keys import KEYS, Overrides

    given: dict[str, Any] = ctx.meta[_GIVEN]
    values = {
        key.field: _value(key, given[key.field]) for key in KEYS.values() if key.field in given
    }
    path = given.get("from_snapshot")
    return api.Options(
        Path(given["directory"] or ".").absolute(),
        Overrides(**values),
        use_cache=not given["no_cache"],
        from_snapshot=Path(path) if path else None,
        from_db=given.get("from_db"),
        fallback_db=given.get("fallback_db"),
    )


def format_option(command: str) -> Any:
    """``--format``, offering only the formats ``command`` renders (``Format.commands``)."""
    names = formats_of(command)

    def parse(value: str | Format) -> str:
        """The name, checked; Typer's own convertor then makes it a ``Format``."""
        name = value.value if isinstance(value, Format) else value  # the default is a Format
        if name not in names:
            listed = ", ".join(repr(n) for n in names)
            raise typer.BadParameter(f"'{printable(name)}' is not one of {listed}.")
        return name

    metavar = f"[{'|'.join(names)}]"
    return typer.Option("--format", "-f", parser=parse, metavar=metavar, help="Output format.")


OutputFormat = Annotated[Format, format_option("diff")]
CheckFormat = Annotated[Format, format_option("check")]
