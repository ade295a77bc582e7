"""`salesdesk requirements import|document` (registered by cli.py through add_requirements_commands)."""

import argparse

import pytest

from salesdesk.cli_requirements import add_requirements_commands
from salesdesk.deals import requirement_services as services
from salesdesk.deals.models import Requirement

from .conftest import add

pytestmark = pytest.mark.django_db


class UsageError(Exception):
    pass


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="salesdesk")
    sub = parser.add_subparsers()

    def command(name, handler, help_text):
        p = sub.add_parser(name, help=help_text)
        p.set_defaults(handler=handler)
        return p

    add_requirements_commands(command, UsageError)
    options = parser.parse_args(argv)
    return options.handler(options)


def test_import_a_file_into_an_opportunity(consultant, world_a, tmp_path, capsys):
    path = tmp_path / "reqs.csv"
    path.write_text("id,statement,targets\nREQ-001,Track parcels,peak_users = 2000\n")
    assert run("requirements", "import", str(world_a.opportunity.pk), str(path), "--as", "amara") == 0
    assert "Imported 1 requirement(s)" in capsys.readouterr().out
    assert Requirement.objects.get().targets[0]["metric"] == "peak_users"


def test_a_bad_file_imports_nothing_and_exits_2(consultant, world_a, tmp_path, capsys):
    path = tmp_path / "reqs.csv"
    path.write_text("id,statement,targets\nREQ-001,ok,\nREQ-002,bad,x = 2k\n")
    assert run("requirements", "import", str(world_a.opportunity.pk), str(path), "--as", "amara") == 2
    assert "row 3, targets: cannot read a number in '2k'" in capsys.readouterr().err
    assert not Requirement.objects.exists()


def test_an_unknown_opportunity_or_a_user_without_the_right_is_a_usage_error(
    consultant, agent, world_a, tmp_path
):
    path = tmp_path / "reqs.csv"
    path.write_text("statement\nx\n")
    with pytest.raises(UsageError, match="no opportunity 999999"):
        run("requirements", "import", "999999", str(path), "--as", "amara")
    with pytest.raises(UsageError, match="may not do this"):
        run("requirements", "import", str(world_a.opportunity.pk), str(path), "--as", "priya")


def test_the_document_command_writes_the_latest_version(consultant, world_a, tmp_path, capsys):
    add(consultant, world_a.opportunity)
    services.baseline_create(actor=consultant, opportunity=world_a.opportunity)
    target = tmp_path / "reqs.pdf"
    assert run("requirements", "document", str(world_a.opportunity.pk), str(target), "--as", "amara") == 0
    assert target.read_bytes().startswith(b"%PDF")
