# shellcheck shell=bash
# selftest: expect fail
# count of a kind the API server does not know is a failure, not 0.
expect_eq "$(count nosuchkinds app=none)" 0 "objects of an unknown kind"
