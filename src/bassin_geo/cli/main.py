"""The ``bassin-geo`` group: its global options, its commands, and how errors are told.

Every error is one line on stderr and exit code 1: usage mistakes (missing argument, bad
option value, unknown command) as click words them, library errors with their own
message, anything else as an internal error pointing to ``--debug``.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any, NoReturn

import click

import bassin_geo as bg
from bassin_geo.cli import distances, export, layers, network, routing, stages
from bassin_geo.cli.strip import strip

__all__ = ["main"]


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


class _OneLineErrors(click.Group):
    """A click group whose every error is one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a library error becomes one line (a traceback with --debug).

        Parameters
        ----------
        ctx : click.Context
            The group's context.

        Returns
        -------
        object
            What the command returns.
        """
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own: handled in main()
        except BrokenPipeError:
            # The reader went away (`bassin-geo layers | head`): stop quietly, and keep
            # Python from failing again when it flushes stdout at exit.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except Exception as exc:
            if ctx.params.get("debug"):
                traceback.print_exc()
            message = str(exc)
            if not isinstance(exc, (bg.BassinGeoError, OSError, ValueError)):
                # Not an input problem: say so, and how to get the details for a report.
                message = f"internal error ({type(exc).__name__}: {exc}); rerun with --debug"
            if isinstance(exc, bg.OverwriteError):
                message += " (on the command line: --force)"
            _fail(message)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Parse the command line and run it; usage mistakes are one line too.

        Parameters
        ----------
        args : sequence of str, optional
            The arguments; ``sys.argv[1:]`` by default.
        prog_name : str, optional
            The program name shown in messages.
        complete_var : str, optional
            The environment variable of shell completion.
        standalone_mode : bool
            Exit with the command's code (True), or return and raise like click does.
        **extra : object
            Passed on to :meth:`click.Context`.

        Returns
        -------
        object
            Only without ``standalone_mode``: what the command returns.
        """
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # bare `bassin-geo`: the help
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "bassin-geo"
            _fail(f"{exc.format_message()} (see '{where} --help')")
        except click.ClickException as exc:
            _fail(exc.format_message())
        except click.Abort:
            _fail("interrupted")
        # --help and --version come back as their exit code; a command returns None.
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the full traceback of errors.")
@click.version_option(bg.__version__, prog_name="bassin-geo")
def main(debug: bool) -> None:
    """Nord-Pas de Calais Mining Basin: layers, distances, itineraries, stages, maps.

    \b
    Examples:
      bassin-geo layers
      bassin-geo site "9-9bis"
      bassin-geo search "fosse 1"
      bassin-geo export out/
    """


for _command in (
    layers.layers,
    layers.site,
    layers.search,
    distances.distance,
    distances.nearest,
    distances.locate,
    routing.route,
    routing.tour,
    stages.stage,
    stages.crossings,
    strip,
    export.map_,
    export.export,
    network.network,
):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
