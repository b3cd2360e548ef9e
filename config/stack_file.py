"""Read `config/Pulumi.<stack>.yaml` as the Pulumi CLI reads it and hands it to the program, without decrypting.

What the CLI does, from the pulumi/pulumi Go source (sdk/go/common/...):

- `workspace/loaders.go`, `projectStackLoader.load`: strips a UTF-8 byte-order mark, decodes the
  file; an empty document is a stack with no config; anything else but a mapping is refused
  ("expected project to be an object"); keys must be strings at every depth
  (`SimplifyMarshalledValue`); a `config:` key without a namespace is put under the project's
  name (`stackConfigNamespacedWithProject`: `cloud` is `tdce:cloud`).
- `resource/config/key.go`, `ParseKey`: a key is `<namespace>:<name>` (or the old
  `<namespace>:config:<name>`); any other number of colons is refused.
- `resource/config/value.go`, `Value.UnmarshalYAML` and `map.go`, `Map.Decrypt`: a scalar reaches
  the program as its text (`true`, `1024`, `12:30`), a mapping or list as JSON written by Go's
  `json.Marshal`, a mapping `{secure: <string>}` as the decrypted secret, at any depth; a value
  holding one is a secret key. `json.Marshal` refuses NaN and infinities inside objects.
- How the YAML itself is read (gopkg.in/yaml, YAML 1.2 scalars, duplicate keys refused) is
  `config/stack_yaml.py`; how Go writes the text is `config/go_text.py`.

Encrypted `secure:` values cannot be decrypted here (no Pulumi CLI, no secrets provider): they
become a placeholder and their keys are marked secret; the offline plan shows them as `[secret]`.
Every problem is one line naming the file and the line, raised together as a ConfigError.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.errors import ConfigError, Problem
from config.go_text import UnsupportedValue, format_g, json_float, marshal_json
from config.stack_yaml import Finding, KeyedMap, StackYamlError, read_document

CONFIG_DIR = Path(__file__).resolve().parent
# Pulumi.yaml `name:`: the namespace the CLI gives a stack-file key written without one.
PROJECT = "tdce"
# Letters and digits only, so it passes the password rules; never a real secret.
SECRET_PLACEHOLDER = "OfflinePlanPlaceholder0"
# ProjectStack's string settings (workspace/project.go); a mapping or list there fails to decode.
_STRING_SETTINGS = ("secretsprovider", "encryptedkey", "encryptionsalt")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class StackConfig:
    stack: str
    path: Path
    values: dict[str, str]
    secret_keys: frozenset[str]
    # The line of each config key in the stack file, for messages that point at it.
    key_lines: Mapping[str, int] = field(default_factory=dict)


def stack_file_path(stack: str, config_dir: Path = CONFIG_DIR) -> Path:
    return config_dir / f"Pulumi.{stack}.yaml"


def read_stack_config(stack: str, config_dir: Path = CONFIG_DIR) -> StackConfig:
    path = stack_file_path(stack, config_dir)
    if not path.is_file():
        known = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in config_dir.glob("Pulumi.*.yaml"))
        raise ConfigError([Problem(f"stack {stack}", f"no stack file {path}; stacks here: {', '.join(known) or 'none'}")])
    document = _document(path)
    entries = _config_entries(path, document)
    return _stack_config(stack, path, entries)


def _document(path: Path) -> KeyedMap:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError([Problem(str(path), f"cannot be read ({exc.strerror or exc})")]) from None
    try:
        # YAML allows UTF-16 with a byte-order mark; otherwise UTF-8, its mark stripped as the CLI does.
        text = data.decode("utf-16") if data.startswith(_UTF16_BOMS) else data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem(str(path), f"is not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    try:
        document = read_document(text)
    except StackYamlError as exc:
        raise ConfigError([_problem(path, finding) for finding in exc.findings]) from None
    if document is None:
        # The CLI reads this as a stack without config, which no TDCE deployment can be.
        raise ConfigError([Problem(str(path), "is empty: a stack needs at least tdce:cloud and tdce:region under `config:`")])
    if not isinstance(document, dict):
        raise ConfigError([Problem(str(path), f"must be a mapping with a `config:` section, not {_described(document)}")])
    return document


def _config_entries(path: Path, document: KeyedMap) -> KeyedMap:
    problems = [
        Problem(_at(path, document.key_lines.get(name)), f"`{name}:` must be a string, not {_described(document[name])}")
        for name in _STRING_SETTINGS
        if isinstance(document.get(name), dict | list)
    ]
    entries = document.get("config")
    if entries is None:
        entries = KeyedMap()
    elif not isinstance(entries, dict):
        problems.append(
            Problem(
                _at(path, document.key_lines.get("config")),
                f"`config:` must be a mapping of keys to values, not {_described(entries)}",
            )
        )
    if problems:
        raise ConfigError(problems)
    return entries


def _stack_config(stack: str, path: Path, entries: KeyedMap) -> StackConfig:
    values: dict[str, str] = {}
    secret_keys: set[str] = set()
    key_lines: dict[str, int] = {}
    written_as: dict[str, str] = {}
    problems: list[Problem] = []
    for written, value in entries.items():
        line = entries.key_lines.get(written)
        key = _config_key(written)
        if key is None:
            problems.append(
                Problem(_at(path, line), f"{written!r} is not a config key: write `<namespace>:<name>`, such as tdce:cloud")
            )
            continue
        if key in written_as:
            # The CLI keeps one of the two at random (a Go map), so neither can be trusted.
            problems.append(
                Problem(
                    _at(path, line),
                    f"{written!r} and {written_as[key]!r} (line {key_lines[key]}) are the same key {key}: "
                    f"the Pulumi CLI puts a key without a namespace under {PROJECT}:",
                )
            )
            continue
        written_as[key], key_lines[key] = written, line or 0
        try:
            values[key], secret = _as_program_sees_it(value)
        except UnsupportedValue as exc:
            problems.append(Problem(_at(path, line), f"{key}: holds {exc.text}, which the Pulumi CLI refuses ({exc})"))
            continue
        if secret:
            secret_keys.add(key)
    if problems:
        raise ConfigError(problems)
    return StackConfig(stack=stack, path=path, values=values, secret_keys=frozenset(secret_keys), key_lines=key_lines)


def _config_key(written: str) -> str | None:
    """The key the program sees (`config.ParseKey`, after the project namespace is added), or None when the CLI refuses it."""
    parts = written.split(":")
    if len(parts) == 1:
        return f"{PROJECT}:{written}"
    if len(parts) == 2:
        return written
    if len(parts) == 3 and parts[1] == "config":
        return f"{parts[0]}:{parts[2]}"
    return None


def _is_secure(value: Any) -> bool:
    # value.go, isSecureValue: a mapping of exactly one key, "secure", whose value is a string.
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("secure"), str)


def _as_program_sees_it(value: Any) -> tuple[str, bool]:
    """The string the program receives for a config value, and whether the key is a secret."""
    if _is_secure(value):
        return SECRET_PLACEHOLDER, True
    if isinstance(value, dict | list):
        secrets: list[bool] = []

        def placeholder(mapping: dict) -> str | None:
            if _is_secure(mapping):
                secrets.append(True)
                return SECRET_PLACEHOLDER
            return None

        # The CLI writes the value back to YAML and reads it again before marshalling it, which
        # turns a float -0.0 into the integer 0; every other number keeps its JSON text.
        text = marshal_json(value, substitute=placeholder, float_text=lambda x: "0" if x == 0 else json_float(x))
        return text, bool(secrets)
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    if isinstance(value, int):
        return str(value), False
    if isinstance(value, float):
        # A top-level number is text written by gopkg.in/yaml's encoder: FormatFloat 'g', ±.inf, .nan.
        if math.isnan(value):
            return ".nan", False
        if math.isinf(value):
            return (".inf" if value > 0 else "-.inf"), False
        return format_g(value), False
    return ("" if value is None else value), False


def _at(path: Path, line: int | None) -> str:
    return f"{path}:{line}" if line else str(path)


def _problem(path: Path, finding: Finding) -> Problem:
    where = _shown_path(finding.path)
    return Problem(_at(path, finding.line), f"{where}: {finding.message}" if where else finding.message)


def _shown_path(path: tuple[str | int, ...]) -> str:
    """`config.tdce:workers[1].name` shown as the config key `tdce:workers[1].name`."""
    parts = list(path[1:] if path[:1] == ("config",) and len(path) > 1 else path)
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _described(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return "a number"
    shown = value if len(value) <= 40 else value[:37] + "..."
    return f"the string {shown!r}"
