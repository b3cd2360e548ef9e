"""Every example stack file loads, as the Pulumi CLI would hand it to the program."""

from __future__ import annotations

import pytest
import yaml

from config.errors import ConfigError
from config.loader import settings_from_config
from config.stack_file import CONFIG_DIR, SECRET_PLACEHOLDER, read_stack_config
from tests.support import EXAMPLE_STACKS


def test_every_stack_file_in_config_is_an_example_the_tests_know():
    on_disk = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in CONFIG_DIR.glob("Pulumi.*.yaml"))
    assert on_disk == sorted(EXAMPLE_STACKS)


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_example_stack_loads(stack):
    config = read_stack_config(stack)
    settings = settings_from_config(config.values, config.secret_keys)
    assert settings.cloud == stack.split("-")[0]


def test_encrypted_values_become_a_placeholder_marked_secret():
    config = read_stack_config("aws-dev")
    assert config.values["tdce:dashboardAdminPassword"] == SECRET_PLACEHOLDER
    assert "tdce:dashboardAdminPassword" in config.secret_keys
    assert all("v1:" not in value for value in config.values.values())


def test_values_are_passed_as_the_pulumi_cli_passes_them(tmp_path):
    (tmp_path / "Pulumi.x.yaml").write_text(
        "config:\n  tdce:cloud: aws\n  tdce:access:\n    ssh: true\n    userCidrs: [10.0.0.0/8]\n"
        "  aws:skipCredentialsValidation: true\n"
    )
    config = read_stack_config("x", tmp_path)
    # Go's json.Marshal: keys sorted, no spaces (pkg.go.dev/encoding/json#Marshal).
    assert config.values["tdce:access"] == '{"ssh":true,"userCidrs":["10.0.0.0/8"]}'
    assert config.values["aws:skipCredentialsValidation"] == "true"


def test_missing_stack_file_names_the_stacks_that_exist(tmp_path):
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    with pytest.raises(ConfigError) as caught:
        read_stack_config("prod", tmp_path)
    assert "stacks here: dev" in str(caught.value)


def test_key_without_namespace_is_read_under_the_project_name_as_the_cli_does(tmp_path):
    # workspace/loaders.go, stackConfigNamespacedWithProject: `cloud` is `<project>:cloud`; Pulumi.yaml names the project.
    assert yaml.safe_load((CONFIG_DIR.parent / "Pulumi.yaml").read_text())["name"] == "tdce"
    (tmp_path / "Pulumi.x.yaml").write_text("config:\n  cloud: aws\n")
    assert read_stack_config("x", tmp_path).values == {"tdce:cloud": "aws"}


def test_a_key_given_with_and_without_the_namespace_is_refused(tmp_path):
    (tmp_path / "Pulumi.x.yaml").write_text("config:\n  tdce:cloud: aws\n  cloud: gcp\n")
    with pytest.raises(ConfigError) as caught:
        read_stack_config("x", tmp_path)
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"{tmp_path / 'Pulumi.x.yaml'}:3: ")
    assert "'cloud' and 'tdce:cloud' (line 2) are the same key tdce:cloud" in str(problem)


def read(tmp_path, text: str | bytes):
    path = tmp_path / "Pulumi.x.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return read_stack_config("x", tmp_path)


def refused(tmp_path, text: str | bytes) -> list[str]:
    """The problems a stack file is refused with; each must be one line naming the file."""
    with pytest.raises(ConfigError) as caught:
        read(tmp_path, text)
    lines = [str(problem) for problem in caught.value.problems]
    assert lines
    for line in lines:
        assert line.startswith(str(tmp_path / "Pulumi.x.yaml")), line
        assert len(line.splitlines()) == 1, line
    return lines


# What a program receives for `tdce:x: <written>`: gopkg.in/yaml.v3 resolves the plain scalar
# (YAML 1.2 core booleans and nulls only; Go integer syntax after removing `_`; floats; anything
# else is the text), and the CLI hands the result on as text: integers in decimal, floats as
# strconv.FormatFloat 'g' (.inf, .nan as YAML writes them), null as nothing.
SCALARS = [
    ("12:30", "12:30"),  # YAML 1.1 sexagesimal (750) is gone in 1.2
    ("'on'", "on"),  # quoted, YAML 1.1 and 1.2 agree it is text
    ("true", "true"),
    ("True", "true"),
    ("FALSE", "false"),
    ("~", ""),
    ("null", ""),
    ("", ""),
    ("0x1F", "31"),
    ("0o17", "15"),
    ("0777", "511"),  # yaml.v3 keeps YAML 1.1 octal for compatibility
    ("0b101", "5"),
    ("-0x10", "-16"),
    ("1_000", "1000"),
    ("+12", "12"),
    ("08", "8"),  # not octal, so a float: 8
    ("1e3", "1000"),
    ("1.0", "1"),
    ("2.50", "2.5"),
    (".5", "0.5"),
    ("1000000.0", "1e+06"),
    (".inf", ".inf"),
    ("-.Inf", "-.inf"),
    (".NaN", ".nan"),
    ("9223372036854775807", "9223372036854775807"),  # int64
    ("18446744073709551615", "18446744073709551615"),  # uint64
    ("18446744073709551616", "1.8446744073709552e+19"),  # past uint64: a float64
    ("1" + "0" * 400, "1" + "0" * 400),  # past float64: the text
    ("2001-12-14", "2001-12-14"),  # timestamps stay the text written
    ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
    ("'0x1F'", "0x1F"),
    ('"12:30"', "12:30"),
    ("!!str 0777", "0777"),
    ("!!float 1", "1"),
    ("tdce", "tdce"),
]


@pytest.mark.parametrize(("written", "received"), SCALARS)
def test_top_level_scalars_reach_the_program_as_yaml_1_2_text(tmp_path, written, received):
    assert read(tmp_path, f"config:\n  tdce:x: {written}\n").values["tdce:x"] == received


def test_objects_reach_the_program_as_go_json(tmp_path):
    text = (
        "config:\n  tdce:x:\n    b: 2\n    a: [1.5, true, null, '<&>', 'on', 12:30, 0x10]\n"
        "    c: 1e21\n    d: 1.5e-7\n    e: -0.0\n    f: 18446744073709551616\n    g: " + "9" * 400 + "\n"
    )
    assert read(tmp_path, text).values["tdce:x"] == (
        '{"a":[1.5,true,null,"\\u003c\\u0026\\u003e","on","12:30",16],"b":2,"c":1e+21,"d":1.5e-7,'
        '"e":0,"f":18446744073709552000,"g":"' + "9" * 400 + '"}'
    )


def test_secure_values_at_any_depth_become_placeholders_and_mark_the_key_secret(tmp_path):
    text = "config:\n  tdce:x:\n    pools:\n      - name: a\n        token:\n          secure: v1:abc\n  tdce:y:\n    secure: 5\n"
    config = read(tmp_path, text)
    assert config.values["tdce:x"] == '{"pools":[{"name":"a","token":"' + SECRET_PLACEHOLDER + '"}]}'
    # `secure:` with a number is not an encrypted value (value.go, isSecureValue needs a string).
    assert config.values["tdce:y"] == '{"secure":5}'
    assert config.secret_keys == frozenset({"tdce:x"})


def test_old_config_module_form_of_a_key_is_accepted(tmp_path):
    assert read(tmp_path, "config:\n  tdce:config:cloud: aws\n").values == {"tdce:cloud": "aws"}


def test_a_utf8_byte_order_mark_is_stripped_as_the_cli_does(tmp_path):
    assert read(tmp_path, b"\xef\xbb\xbfconfig:\n  tdce:cloud: aws\n").values == {"tdce:cloud": "aws"}


def test_merge_keys_keep_the_keys_written_beside_them(tmp_path):
    text = "base: &base {maxCount: 4, name: a}\nconfig:\n  tdce:x:\n    <<: *base\n    name: b\n"
    assert read(tmp_path, text).values["tdce:x"] == '{"maxCount":4,"name":"b"}'


# Each refusal, and the words its one line must carry.
REFUSALS = [
    ("config:\n  tdce:cloud: aws\n  tdce:cloud: gcp\n", ":3: ", "mapping key 'tdce:cloud' already defined at line 2"),
    ("config: {}\nconfig: {}\n", ":2: ", "mapping key 'config' already defined at line 1"),
    (
        "config:\n  tdce:workers:\n    - name: a\n      maxCount: 1\n      maxCount: 2\n",
        ":5: ",
        "tdce:workers[0]: mapping key 'maxCount' already defined at line 4",
    ),
    ("config:\n  tdce:tags: {a: 1, a: 2}\n", ":2: ", "tdce:tags: mapping key 'a' already defined at line 2"),
    ("config:\n  tdce:tags:\n    1: x\n    '1': z\n", ":4: ", "mapping key '1' already defined at line 3"),
    ("- config: {}\n", "", "must be a mapping with a `config:` section, not a list"),
    ("just words\n", "", "not the string 'just words'"),
    ("42\n", "", "not a number"),
    ("''\n", "", "not the string ''"),
    ("", "", "is empty"),
    ("# nothing but a comment\n", "", "is empty"),
    ("~\n", "", "is empty"),
    ("config: [tdce:cloud]\n", ":1: ", "`config:` must be a mapping of keys to values, not a list"),
    ("config: aws\n", ":1: ", "`config:` must be a mapping of keys to values, not the string 'aws'"),
    ("secretsprovider: {a: b}\nconfig: {}\n", ":1: ", "`secretsprovider:` must be a string"),
    ("config:\n  tdce:tags:\n    true: x\n", ":3: ", "key true is a boolean; the Pulumi CLI accepts only string keys"),
    ("config:\n  7: x\n", ":2: ", "key 7 is a number"),
    ("config:\n  ? [a, b]\n  : x\n", ":2: ", "a mapping key must be a single value"),
    ("config:\n  tdce:a:b: x\n", ":2: ", "'tdce:a:b' is not a config key"),
    ("config:\n  tdce:x: [.nan]\n", ":2: ", "tdce:x: holds NaN, which the Pulumi CLI refuses (json: unsupported value: NaN)"),
    ("config:\n  tdce:x: {a: -.inf}\n", ":2: ", "json: unsupported value: -Inf"),
    ("config:\n  tdce:x: !!int abc\n", ":2: ", "tdce:x: cannot decode !!str `abc` as a !!int"),
    ("config:\n  tdce:x: *nowhere\n", ":2: ", "unknown anchor 'nowhere' referenced"),
    ("config:\n  tdce:x: &a [*a]\n", ":2: ", "anchor 'a' value contains itself"),
    ("config:\n  tdce:x: {<<: 5}\n", ":2: ", "map merge requires map or sequence of maps as the value"),
    ("config:\n  tdce:cloud: aws\n---\nconfig:\n  tdce:cloud: gcp\n", ":3: ", "second YAML document"),
    ("config:\n  tdce:x: [\n", ":3: ", "not valid YAML: did not find expected node content"),
    # An unclosed bracket shows at the end of the file; the line it opens on is named too.
    ("config:\n  tdce:zones: [eu-west-1a\n", ":3: ", "expected ',' or ']' (while parsing a flow sequence that starts on line 2)"),
    ("config:\n\ttdce:cloud: aws\n", ":2: ", "not valid YAML"),
    ("config:\n  tdce:x: a\x07b\n", ":2: ", "control characters are not allowed (#x0007)"),
    ('config:\n  tdce:x: "\\ud800"\n', ":2: ", "invalid Unicode character escape code"),
    ("config:\n  tdce:x: " + "[" * 10_001 + "]" * 10_001 + "\n", ":2: ", "nests deeper than 10000 levels"),
    (b"config:\n  tdce:x: \xff\n", "", "is not UTF-8 text"),
]


# YAML 1.1's boolean words (yaml.org/type/bool.html): the CLI's yaml.v2 reads them as booleans, YAML 1.2 as text.
@pytest.mark.parametrize("word", ["yes", "No", "ON", "off", "y", "N"])
def test_yaml_1_1_boolean_words_are_refused_as_ambiguous(tmp_path, word):
    (line,) = refused(tmp_path, f"config:\n  tdce:access:\n    ssh: {word}\n")
    assert f"tdce:access.ssh: `{word}` is true/false to the Pulumi CLI's YAML 1.1 reader" in line, line
    assert "write true/false, or quote it" in line


@pytest.mark.parametrize(("text", "at", "words"), REFUSALS, ids=range(len(REFUSALS)))
def test_refused_with_one_line_naming_the_file(tmp_path, text, at, words):
    (line,) = refused(tmp_path, text)
    assert line.startswith(f"{tmp_path / 'Pulumi.x.yaml'}{at or ': '}"), line
    assert words in line, line


def test_every_duplicate_is_reported_at_once(tmp_path):
    lines = refused(tmp_path, "config:\n  tdce:tags: {a: 1, a: 2}\n  tdce:workers:\n    - {name: a, name: b}\n")
    assert len(lines) == 2


def test_alias_expansion_is_capped_as_yaml_v3_caps_it(tmp_path):
    # The "billion laughs": nine aliases of nine aliases … expand to hundreds of millions of values.
    text = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]\n" for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    (line,) = refused(tmp_path, text + "config: {tdce:x: *i}\n")
    assert "excessive aliasing" in line


def test_ten_thousand_levels_are_read_as_yaml_v3_reads_them(tmp_path):
    config = read(tmp_path, "config:\n  tdce:x: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert config.values["tdce:x"] == "[" * 10_000 + "]" * 10_000
