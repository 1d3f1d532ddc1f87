# The README's commands. `make test` is what CI runs (.ci/run installs what it needs first).
.PHONY: test build quickstart format crds

test:
	test/run.sh

build:
	mvn -B -ntp package -DskipTests

quickstart:
	./kubetune quickstart

format:
	mvn -B -ntp spotless:apply

# Rewrite crds/ from the Java API types (CrdSyncTest fails until they agree).
crds:
	mvn -B -ntp -pl operator -am test -Dtest=CrdSyncTest -Dsurefire.failIfNoSpecifiedTests=false -Dkubetune.updateCrds=true
