# The README's commands. `make test` is what CI runs (.ci/run installs what it needs first).
.PHONY: test build quickstart format crds e2e

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
	cp crds/*.yml deploy/helm/kubetune/crds/

# End-to-end tests on a real control plane with fake GPU nodes (deploy/test-cluster/e2e/README.md).
# The first run builds Kubernetes from Go modules (Go >= 1.26, ~8 min); later runs reuse it.
e2e:
	deploy/test-cluster/e2e/run.sh
