"""`salesdesk kb import/export`: round trip, bad files refused on one line with exit code 2."""

import json

import pytest

from salesdesk.knowledge.models import Answer

from .test_commands import assert_usage_error, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def knowledge(staff_factory):
    bid_manager = staff_factory(5, username="grace")
    Answer.objects.create(
        title="Does the Edge Gateway 400 support SSO with Azure AD?",
        body="Yes, through SAML 2.0.",
        owner=bid_manager,
        audience="customers",
        status="published",
        external_id="ans-sso",
    )
    return bid_manager


def test_export_then_import_updates_instead_of_duplicating(knowledge, capsys, tmp_path):
    path = tmp_path / "kb.jsonl"
    code, out, _err = run(capsys, "kb", "export", str(path))
    assert code == 0 and "Exported 1 item(s)" in out
    record = json.loads(path.read_text().splitlines()[0])
    assert record["external_id"] == "ans-sso"
    record["body"] = "Yes, through SAML 2.0 and OIDC."
    path.write_text(json.dumps(record) + "\n")
    code, out, _err = run(capsys, "kb", "import", str(path), "--as", "grace")
    assert code == 0 and "0 new and 1 updated" in out
    assert Answer.objects.get().body == "Yes, through SAML 2.0 and OIDC."


def test_a_file_with_bad_rows_imports_nothing_and_exits_2(knowledge, capsys, tmp_path):
    path = tmp_path / "kb.csv"
    path.write_text("kind,external_id,title,body,audience\nanswer,new-1,Question?,Answer.,everyone\n")
    code, _out, err = run(capsys, "kb", "import", str(path))
    assert code == 2
    assert any("row 2" in line and "audience" in line for line in err)
    assert not Answer.objects.filter(external_id="new-1").exists()


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["kb"], "KB_COMMAND"),
        (["kb", "import", "/no/such/file.csv"], "cannot be read"),
        (["kb", "import", "notes.txt"], "name it .csv, .xlsx or .jsonl"),
        (["kb", "export", "x.csv", "--as", "nobody"], "no active user 'nobody'"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_code_2(knowledge, capsys, argv, fragment):
    assert_usage_error(run(capsys, *argv), fragment)
