"""Whatever a stack file holds, reading and planning it gives settings or the project's ConfigError.

Documents are generated as YAML text: non-mappings, duplicate keys, deep nesting, numbers past
every integer and float limit, unicode and control characters, YAML 1.1 look-alikes, namespace
typos, provider defaults, and random nestings of the settings' own keys. Nothing else may come
out: no other exception, no traceback, and when the plan is refused, nothing was registered.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from config.errors import ConfigError
from config.loader import settings_from_config
from config.settings import Settings
from config.stack_file import CONFIG_DIR, read_stack_config
from tdce import planner
from tdce.cli import EXIT_CONFIG_ERROR, EXIT_OK, main
from tests.support import EXAMPLE_STACKS

TOP_KEYS = [field.alias for field in Settings.model_fields.values()]
NESTED_KEYS = ["vpcCidr", "subnetCidrs", "userCidrs", "adminCidrs", "ssh", "name", "maxCount", "instanceType", "sizeGb", "secure"]
PLAIN = [
    *("12:30", "on", "off", "yes", "no", "y", "~", "null", "true", "False", "0x1F", "0o17", "0777", "08", "1_000"),
    *("+12", "-0", "-0.0", "1e3", ".5", ".inf", "-.inf", ".nan", "2001-12-14", "<<", "!!str 5", "!!int x", "*nowhere"),
    *("18446744073709551616", "-9223372036854775809", "aws", "gcp", "spot", "10.0.0.0/16", "0.0.0.0/0", "m5.xlarge"),
    *("us-east-1", "europe-north1", "eu-west-1", "v1:abc"),
]
KEYS = [
    *(f"tdce:{key}" for key in TOP_KEYS),
    *TOP_KEYS,  # the CLI puts a key without a namespace under tdce:
    *("tcde:bucket", "TDCE:cloud", "tdc:region", "tdce.cloud", "tdce:a:b", "tdce:config:cloud", "aws:region"),
    *("gcp:project", "gcp:region", "pulumi:x", "1", "true", "~", "'quoted key'", "? [a]\n   "),
]

digits = st.text(alphabet="0123456789", min_size=19, max_size=400) | st.sampled_from(["9" * 4301, "1" + "0" * 400])
quoted = st.text(max_size=20).map(lambda text: json.dumps(text, ensure_ascii=False))
scalar = st.one_of(st.sampled_from(PLAIN), quoted, digits, st.floats().map(repr), st.integers().map(str))
key = st.one_of(st.sampled_from(NESTED_KEYS + PLAIN[:12]), quoted)


def _flow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    # Lists and mappings in flow style; keys may repeat, and so clash.
    return st.one_of(
        st.lists(children, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(key, children), max_size=4).map(lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"),
    )


tree = st.recursive(scalar, _flow, max_leaves=10)
# Deep nesting is expensive to read, so rarer: either side of Python's recursion limit (yaml.v3's
# cap of 10000 is in the literal tests of test_stack_files.py).
deep = st.sampled_from([900, 1_100, 2_500]).map(lambda depth: "[" * depth + "]" * depth)
special = st.sampled_from(["&a [1, 2]", "*a", "{<<: {maxCount: 2}, name: x}", "{secure: v1:abc}", "{secure: 5}"])
value = st.one_of(*[tree] * 12, *[special] * 2, deep)
entry = st.tuples(st.sampled_from(KEYS) | quoted, value).map(lambda pair: f"  {pair[0]}: {pair[1]}\n")
stack_document = st.one_of(
    st.lists(entry, max_size=8).map(lambda entries: "config:\n" + "".join(entries)),
    st.lists(entry, max_size=4).map(lambda entries: "encryptionsalt: x\nconfig:\n" + "".join(entries) + "config: {}\n"),
    st.lists(entry, max_size=4).map(lambda entries: "config:\n" + "".join(entries) + "---\nconfig: {}\n"),
    value,  # a whole document that is a scalar, a list, a flow mapping, deep nesting
    value.map(lambda text: f"config: {text}\n"),
    st.text(max_size=200),
    st.binary(max_size=100).map(lambda data: data.decode("latin-1")),
)


def _one_line_problems(error: ConfigError) -> list[str]:
    lines = [str(problem) for problem in error.problems]
    assert lines, "a ConfigError names at least one problem"
    assert all(len(line.splitlines()) == 1 for line in lines), lines
    return lines


def _written(text: str, directory: str) -> Path:
    path = Path(directory) / "Pulumi.p.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
@given(stack_document)
def test_any_stack_document_gives_settings_or_a_config_error(text):
    with tempfile.TemporaryDirectory() as directory:
        _written(text, directory)
        try:
            config = read_stack_config("p", Path(directory))
            result = settings_from_config(config.values, config.secret_keys)
        except ConfigError as error:
            _one_line_problems(error)
            event("refused")
        else:
            assert isinstance(result, Settings)
            event("settings")


# Changes to an example stack file, line by line: a value replaced, a line repeated (a duplicate
# key at its depth), a key added under `config:`, or the whole document replaced.
LEAF = re.compile(r"^(\s*(?:- )?[\w:.]+:) (\S.*)$")


def _mutated(lines: list[str], kind: str, index: int, text: str) -> list[str]:
    changed = list(lines)
    leaves = [i for i, line in enumerate(lines) if LEAF.match(line)]
    if kind == "document":
        return [text]
    if kind == "add":
        changed.insert(lines.index("config:") + 1 if "config:" in lines else 0, f"  {text}")
    elif leaves and kind == "value":
        at = leaves[index % len(leaves)]
        changed[at] = LEAF.sub(lambda m: f"{m.group(1)} {text}", lines[at])
    elif leaves and kind == "respell":
        # Only values that are plain text already, so quoting them keeps the text the program sees.
        plain = [
            i
            for i in leaves
            if re.fullmatch(r"[\w./-]+", LEAF.match(lines[i]).group(2)) and not lines[i].lstrip().startswith("#")
        ]
        if plain:
            at = plain[index % len(plain)]
            changed[at] = LEAF.sub(lambda m: f"{m.group(1)} {text.format(m.group(2))}", lines[at])
    elif leaves:
        at = leaves[index % len(leaves)]
        changed.insert(at + 1, lines[at])
    return changed


# Spellings of a value that the CLI reads as the same text, and keys that change nothing: with
# these, some changed stacks still plan, so success is exercised too.
same_text = st.sampled_from(["'{}'", '"{}"', "!!str {}"])
harmless = st.sampled_from(["aws:skipCredentialsValidation: true", "pulumi:tags: {a: b}", "random:x: 1"])
mutation = st.one_of(
    st.tuples(st.just("respell"), st.integers(0, 200), same_text),
    st.tuples(st.just("add"), st.integers(0, 0), harmless),
    st.tuples(st.just("value"), st.integers(0, 200), value),
    st.tuples(st.just("repeat"), st.integers(0, 200), st.just("")),
    st.tuples(st.just("add"), st.integers(0, 0), entry.map(str.strip)),
    st.tuples(st.just("document"), st.integers(0, 0), stack_document),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
@given(st.sampled_from(EXAMPLE_STACKS), st.lists(mutation, min_size=1, max_size=3))
def test_tdce_plan_of_a_changed_example_succeeds_or_refuses_before_registering(stack, mutations):
    lines = (CONFIG_DIR / f"Pulumi.{stack}.yaml").read_text().splitlines()
    for kind, index, text in mutations:
        lines = _mutated(lines, kind, index, text)
    calls: list[str] = []
    real_run_program = planner.run_program

    def recording_run_program(*args, **kwargs):
        calls.append("run_program")
        return real_run_program(*args, **kwargs)

    with tempfile.TemporaryDirectory() as directory, mock.patch.object(planner, "run_program", recording_run_program):
        _written("\n".join(lines) + "\n", directory)
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["plan", "p", "--no-policy", "--config-dir", directory])
        assert "Traceback" not in stdout.getvalue() + stderr.getvalue()
        assert code in (EXIT_OK, EXIT_CONFIG_ERROR)
        if code == EXIT_OK:
            event("planned")
            return
        event("refused")
        assert calls == [], "a refused stack registered resources"
        try:
            planner.plan_stack("p", Path(directory))
        except ConfigError as error:
            assert stderr.getvalue().splitlines() == _one_line_problems(error)
        else:
            raise AssertionError("tdce plan refused a stack that plan_stack accepts")
        assert calls == []
