"""`tfhub.cli.main.main` run twice in one process logs each message once (#18)."""

import logging

import pytest

from tfhub.cli.main import main


@pytest.fixture
def tfhub_logger():
    logger = logging.getLogger("tfhub")
    before, level = list(logger.handlers), logger.level
    yield logger
    logger.handlers[:] = before
    logger.setLevel(level)


def test_main_twice_leaves_one_handler_and_logs_once(tfhub_logger, capsys, cache_dir):
    assert main(["cache", "ls"]) == 0
    assert main(["cache", "ls"]) == 0
    capsys.readouterr()
    tfhub_logger.warning("once")
    assert capsys.readouterr().err.count("tfhub: once") == 1
    assert len([h for h in tfhub_logger.handlers if isinstance(h, logging.StreamHandler)]) == 1
