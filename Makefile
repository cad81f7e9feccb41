# novasite: `make run` starts a demo cloud, `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RUN_DIR := var/run

.PHONY: install services run run-regiontwo reset stop status fresh-check test test-rabbitmq lint openrc migrate seed conformance horizon

install:
	@scripts/install.sh

# The demo runs on SQLite unless DATABASE_URL is set.
migrate: install
	@mkdir -p var
	@if [ -n "$$DATABASE_URL" ]; then $(PY) scripts/createdb.py; fi
	@$(PY) manage.py migrate --noinput -v 0

seed: migrate
	@$(PY) manage.py seed_demo

# LIBVIRT=qemu: compute1 and compute2 run real guests on the two libvirt daemons of
# scripts/libvirt.sh (started here), and the seed's cirros is the project's guest image
# (scripts/guest-image.sh); compute3 stays on libvirt's test driver.
QEMU_ENV := COMPUTE1_LIBVIRT_URI=qemu+tcp://127.0.0.1:16509/system COMPUTE2_LIBVIRT_URI=qemu+tcp://127.0.0.1:16510/system MIGRATE_URI=tcp://127.0.0.1
STEP := scripts/step.sh
run:
	@$(STEP) "install what is missing" scripts/install.sh
	@$(STEP) "start the database and broker" scripts/services.sh $(if $(findstring postgres,$(DATABASE_URL)),postgres,) $(if $(findstring amqp,$(CELERY_BROKER_URL)),rabbitmq,)
	@$(if $(filter qemu,$(LIBVIRT)),$(STEP) "start two libvirt daemons" scripts/libvirt.sh up,true)
	@$(STEP) "migrate and seed the demo cloud" \
		$(if $(filter qemu,$(LIBVIRT)),env GUEST_IMAGE="$$(scripts/guest-image.sh)" ,)$(MAKE) --no-print-directory seed
	@$(STEP) "collect the static files" $(PY) manage.py collectstatic --noinput -v 0
	@$(STEP) "start the processes (Procfile, under supervisord)" \
		$(if $(filter qemu,$(LIBVIRT)),env $(QEMU_ENV) ,)$(PY) scripts/supervise.py start --run-dir $(RUN_DIR)
	@$(STEP) "wait for the API" bash -c 'for i in $$(seq 1 120); do curl -s -o /dev/null http://127.0.0.1:8000/identity/v3 && exit 0; sleep 0.5; done; \
		echo "the API did not answer in 60 s: see $(RUN_DIR)/log/web.log" >&2; exit 1'
	@echo
	@echo "novasite is up:"
	@echo "  API      http://127.0.0.1:8000 (Keystone: http://127.0.0.1:8000/identity/v3)"
	@echo "  admin    http://127.0.0.1:8000/admin/ (login admin / $${ADMIN_PASSWORD:-secret})"
	@echo "  Flower   http://127.0.0.1:5555 (login $${FLOWER_BASIC_AUTH:-admin:$${ADMIN_PASSWORD:-secret}})"
	@echo "  API docs http://127.0.0.1:8000/api/docs/ (OpenAPI schema: /api/schema/)"
	@echo "  consoles http://127.0.0.1:6080 (noVNC; openstack console url show --novnc SERVER)"
	@echo "logs: $(RUN_DIR)/log/<process>.log; processes: make status; stop with: make stop"
	@echo "the demo cloud's data is kept between runs; make reset forgets it"
	@echo
	@$(if $(filter 2,$(REGIONS)),$(MAKE) --no-print-directory run-regiontwo,true)
	@$(MAKE) --no-print-directory openrc

# REGIONS=2: a second control plane, RegionTwo (ARCHITECTURE.md, "Regions"), beside RegionOne on
# this machine: its own database (REGION2_DATABASE_URL, else SQLite under var/regiontwo), its own
# broker keys (a key prefix on RegionOne's Redis; with RabbitMQ give REGION2_BROKER_URL, another
# vhost), its own conductor, scheduler, beat and hosts r2-compute1/r2-compute2 (Procfile.regiontwo)
# on port 8100, and RegionOne's identity: its seed registers its endpoints and service user there.
REGION2_RUN_DIR := var/run-regiontwo
REGION2_DIR := $(CURDIR)/var/regiontwo
REGION2_ENV := REGION_NAME=RegionTwo IDENTITY_URL=http://127.0.0.1:8000/identity/v3 \
	PUBLIC_ENDPOINT=http://127.0.0.1:8100 \
	DATABASE_URL=$(or $(REGION2_DATABASE_URL),sqlite:///$(REGION2_DIR)/novasite.sqlite3) \
	CELERY_KEY_PREFIX=$(CELERY_KEY_PREFIX)regiontwo. $(if $(REGION2_BROKER_URL),CELERY_BROKER_URL=$(REGION2_BROKER_URL),) \
	IMAGE_DIR=$(REGION2_DIR)/images INSTANCES_DIR=$(REGION2_DIR)/instances VOLUME_DIR=$(REGION2_DIR)/volumes \
	NOVNCPROXY_BASE_URL=http://127.0.0.1:6081/vnc_lite.html
run-regiontwo:
	@mkdir -p $(REGION2_DIR)
	@$(STEP) "RegionTwo: migrate, register at RegionOne's identity and seed" env $(REGION2_ENV) $(MAKE) --no-print-directory seed
	@$(STEP) "RegionTwo: start its processes (Procfile.regiontwo)" \
		env $(REGION2_ENV) $(PY) scripts/supervise.py start --procfile Procfile.regiontwo --run-dir $(REGION2_RUN_DIR)
	@$(STEP) "RegionTwo: wait for its API" bash -c 'for i in $$(seq 1 120); do curl -s -o /dev/null http://127.0.0.1:8100/compute && exit 0; sleep 0.5; done; \
		echo "RegionTwo did not answer in 60 s: see $(REGION2_RUN_DIR)/log/web.log" >&2; exit 1'
	@echo
	@echo "RegionTwo is up: API http://127.0.0.1:8100 (no identity of its own: log in at RegionOne),"
	@echo "  admin http://127.0.0.1:8100/admin/ (RegionOne's operators: admin / $${ADMIN_PASSWORD:-secret}),"
	@echo "  hosts r2-compute1, r2-compute2; logs: $(REGION2_RUN_DIR)/log/<process>.log"
	@echo "  openstack --os-region-name RegionTwo server list"
	@echo

# Forget the demo cloud's data: stop it, then remove the SQLite file (or, with DATABASE_URL,
# drop that database); the next make run migrates and seeds afresh.
reset: stop
	@$(PY) scripts/createdb.py --drop
	@rm -f var/novasite.sqlite3 var/celerybeat-schedule*
	@if [ -n "$(REGION2_DATABASE_URL)" ]; then DATABASE_URL=$(REGION2_DATABASE_URL) $(PY) scripts/createdb.py --drop; fi
	@rm -rf var/regiontwo
	@echo "the demo cloud's data is gone: make run seeds a new one"

openrc:
	@echo "# source these lines (admin); for the demo user use OS_USERNAME=demo OS_PROJECT_NAME=demo"
	@echo "export OS_AUTH_URL=http://127.0.0.1:8000/identity/v3"
	@echo "export OS_USERNAME=admin OS_PASSWORD=$${ADMIN_PASSWORD:-secret} OS_PROJECT_NAME=admin"
	@echo "export OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default"
	@echo "export OS_REGION_NAME=RegionOne OS_IDENTITY_API_VERSION=3"

# supervisord (scripts/supervise.py) runs the Procfile's processes and restarts any that dies.
stop:
	@if [ -f $(REGION2_RUN_DIR)/supervisord.pid ]; then echo -n "RegionTwo: "; $(PY) scripts/supervise.py stop --run-dir $(REGION2_RUN_DIR); fi
	@$(PY) scripts/supervise.py stop --run-dir $(RUN_DIR)
	@$(if $(filter qemu,$(LIBVIRT)),scripts/libvirt.sh down,true)
	@# A cloud that an older make run started with honcho.
	@if [ -f $(RUN_DIR)/honcho.pid ]; then kill -TERM -- -$$(cat $(RUN_DIR)/honcho.pid) 2>/dev/null || true; \
		rm -f $(RUN_DIR)/honcho.pid; fi

status:
	@$(PY) scripts/supervise.py status --run-dir $(RUN_DIR)
	@if [ -f $(REGION2_RUN_DIR)/supervisord.pid ]; then echo "RegionTwo:"; $(PY) scripts/supervise.py status --run-dir $(REGION2_RUN_DIR); fi

# The suite always runs on PostgreSQL and Redis (TEST_DATABASE_URL / TEST_BROKER_URL), its
# browser tests (tests/browser) in Debian's Chromium, installed here when missing, and its qemu
# tests on two real libvirt daemons (scripts/libvirt.sh), started here and stopped afterwards
# unless they were running already, with the project's guest image (scripts/guest-image.sh,
# built here once and cached) for tests/e2e/test_qemu_guests.py. Without the daemons the qemu
# tests skip, or fail where NOVASITE_REQUIRE_QEMU=1 (CI).
test: install lint
	@scripts/services.sh postgres
	@scripts/chromium.sh
	@was_up=0; scripts/libvirt.sh status >/dev/null 2>&1 && was_up=1; \
	if scripts/libvirt.sh up; then scripts/guest-image.sh >/dev/null || echo "make test: no guest image"; \
	else echo "make test: no libvirt daemons: the qemu tests will skip (or fail under NOVASITE_REQUIRE_QEMU=1)"; fi; \
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	[ $$was_up = 1 ] || scripts/libvirt.sh down >/dev/null 2>&1 || true; \
	exit $$rc

# The end-to-end suite again with RabbitMQ as the broker (quorum queues), on a vhost it makes
# and deletes (scripts/test-rabbitmq.sh); installs and starts RabbitMQ when missing. The qemu
# tests are left out: make test runs them, on the real daemons it starts and stops again.
# RABBITMQ_PYTEST_ARGS [tests/e2e -m 'not qemu']: what pytest runs.
test-rabbitmq: install
	@scripts/services.sh postgres rabbitmq
	@scripts/test-rabbitmq.sh $(or $(RABBITMQ_PYTEST_ARGS),tests/e2e -m 'not qemu')

# Format, lint and type checks (pyproject.toml); make test runs them first.
lint: install
	@$(VENV)/bin/ruff format --check --quiet . || (echo "ruff format would change the files above: run $(VENV)/bin/ruff format ." && exit 1)
	@$(VENV)/bin/ruff check --quiet .
	@$(VENV)/bin/mypy --no-error-summary .

# The README's two commands on a bare Debian 12 (debootstrap, cached), in a root and a network
# namespace of their own (scripts/fresh-check.sh). FRESH_CHECK_TEST=0 stops after make stop.
fresh-check:
	@scripts/fresh-check.sh

# Tempest 47.0.0's tempest.api.compute against a live cloud of its own, beside `make run` and the
# suite (conformance/README.md). CONFORMANCE_THRESHOLD (95), CONFORMANCE_LEAKS (fail|report).
conformance: install
	@scripts/services.sh postgres
	@conformance/run.sh

# Stock Horizon 25.7.3 (OpenStack's dashboard, unpatched) against a live cloud, in Chromium
# (tests/horizon). Its virtualenv is made first, outside pytest's timeouts, and cached under
# /var/cache/novasite/horizon (scripts/horizon.sh); `make test` leaves tests/horizon out.
horizon: install
	@scripts/services.sh postgres
	@scripts/chromium.sh
	@scripts/horizon.sh venv >/dev/null
	@$(PY) -m pytest -p no:cacheprovider tests/horizon
