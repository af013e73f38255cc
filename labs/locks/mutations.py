"""The locks lab's own mutations, for checks no generic one-fact change can fail
(``proclab mutate locks``; tests/labs/test_mutations.py). The ticket file's content is a
JSON text in the checkpoint's data: a generic change of that string is no longer JSON."""

from proclab.checks import set_data


def mutations(result):
    return [set_data(result, "race-done", "db", '{"count": 1}')]  # the file remembers a ticket left
