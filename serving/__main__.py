"""`python -m serving <rasa arguments>`: the `rasa` command (same arguments), after installing our fixes, plus
`--auth-token-file FILE`: Rasa's `--auth-token` read from FILE (serving/api_token.py) inside the process, so the
token is never on a command line that `ps` shows."""

import sys

from serving import action_validation, api_token, eager_build, event_types, sqlite_tuning, tracker_cache

TOKEN_FILE_FLAG = "--auth-token-file"


def token_from_file(argv: list) -> list:
    """argv with `--auth-token-file FILE` replaced by `--auth-token <the file's token>`."""
    if TOKEN_FILE_FLAG not in argv:
        return argv
    i = argv.index(TOKEN_FILE_FLAG)
    if i + 1 >= len(argv):
        raise SystemExit(f"{TOKEN_FILE_FLAG} needs a file")
    # one `--auth-token=<token>` argument: a token_urlsafe token can start with "-", which argparse would take for an
    # option after a separate `--auth-token` (scale-out test of 2026-12-01 17:10: "expected one argument")
    return argv[:i] + [f"--auth-token={api_token.read(argv[i + 1])}"] + argv[i + 2 :]


def main() -> None:
    sys.argv = token_from_file(sys.argv)
    action_validation.install()
    sqlite_tuning.install()
    tracker_cache.install()
    event_types.install()
    eager_build.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
