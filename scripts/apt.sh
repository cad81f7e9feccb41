# Sourced by the install scripts: one way to install Debian packages that are missing.
#
#   apt_missing PKG...           prints the packages of PKG... that dpkg does not have installed
#   apt_install WHY PKG...       installs PKG... (those missing), printing what, why and how long;
#                                 as root, or with sudo when it asks no password. Without either,
#                                 or without apt-get, it stops with one sentence saying what to do.
#
# The package lists are fetched once per run of a script (APT_UPDATED), not once per call.

apt_missing() {
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || echo "$pkg"
    done
}

apt_install() {
    local why=$1; shift
    local missing sudo="" started
    mapfile -t missing < <(apt_missing "$@")
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "novasite needs ${missing[*]} ($why), and this machine has no apt-get: install them with its package manager, then run this again" >&2
        exit 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo="sudo -n"
        else
            echo "novasite needs ${missing[*]} ($why): run 'sudo apt-get install ${missing[*]}' (or this command as root), then run this again" >&2
            exit 1
        fi
    fi
    started=$(date +%s)
    echo "installing Debian packages for $why: ${missing[*]}"
    if [ -z "${APT_UPDATED:-}" ]; then
        $sudo apt-get update -qq
        APT_UPDATED=1
    fi
    # (debconf's note that apt-utils is missing says nothing to act on)
    if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        2> >(grep -v "^debconf: delaying package configuration" >&2) >/dev/null; then
        echo "apt-get install ${missing[*]} failed (output above): fix the package source, then run this again" >&2
        exit 1
    fi
    echo "installed ${missing[*]} in $(($(date +%s) - started)) s"
}
