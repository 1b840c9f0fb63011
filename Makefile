# podnet on a fresh Debian/Ubuntu machine, as root:
#   make up     install what podnet needs, build, bring the default cluster up with examples/ applied
#   make test   install, build, run every test suite
#   make down   remove the default cluster
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Debian packages podnet uses: kernel tools (ip, nft, conntrack, sysctl/ps), openssl for the cluster PKI,
# dig/curl/iperf3/dnsperf for looking at and measuring the network, the reference CNI plugins as a peer,
# socat and util-linux (nsenter, unshare, script) for port-forward, pod sandboxes and terminals;
# nginx (the Ingress data plane and its benchmark peer), wrk, dnsmasq-base (the DNS benchmark peer),
# etcd-server/etcd-client (the etcd datastore), python3-kubernetes (a client no one here wrote, for the
# e2e tests), chromium (the web page's tests) and conmon (a C container monitor).
DEB_PACKAGES := nftables iproute2 dnsutils curl iperf3 dnsperf containernetworking-plugins conntrack openssl procps socat util-linux \
  nginx wrk dnsmasq-base etcd-server etcd-client python3-kubernetes chromium conmon

.PHONY: help install build up test down bench

help:
	@echo "make up     install, build, podnet up -f examples/"
	@echo "make test   install, build, run all tests"
	@echo "make down   podnet down"
	@echo "make bench  install, build, run every benchmark in bench/ (SHORT=1: quick mode)"

# Installs only the packages that are missing, so a second run does nothing (and needs no network).
install: node_modules/.package-lock.json
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -q '^install ok installed$$' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

# npm ci again only when the lockfile or package.json is newer than the last install.
node_modules/.package-lock.json: package-lock.json package.json
	npm ci
	@touch $@

build: install
	npm run build

up: build
	bin/podnet up -f examples/

test: build
	npm test

down:
	bin/podnet down

bench: build
	node scripts/bench.mjs $(if $(SHORT),--short)
