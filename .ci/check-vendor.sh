#!/usr/bin/env bash
# Proves that each vendored crate is its crates.io release plus its patch:
#
#   vendor/<crate>/  ==  <crate>-<version>.crate from crates.io
#                        - the files listed in vendor/patches/<crate>.trim
#                        + vendor/patches/<crate>.diff
#
# with one file of the project's own beside it, vendor/<crate>/PATCHED.md (the write-up of
# the patch), left out of the comparison. The version is read from vendor/<crate>/Cargo.toml,
# the release is checked against the SHA-256 in vendor/patches/<crate>.sha256 (the checksum
# crates.io's index publishes for it), and it is taken from cargo's download cache, or
# downloaded there by `cargo fetch` in a scratch package that depends on exactly that version.
#
#   .ci/check-vendor.sh            check every vendored crate (exit 1 on any difference)
#   .ci/check-vendor.sh --update   rewrite vendor/patches/<crate>.diff from vendor/<crate>
set -euo pipefail
cd "$(dirname "$0")/.."

crates=(cpal pulseaudio)
update=false
if [ "${1:-}" = "--update" ]; then
    update=true
elif [ $# -gt 0 ]; then
    echo "usage: $0 [--update]" >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The path of NAME-VERSION.crate in cargo's download cache, fetched there if missing.
crate_file() {
    local name=$1 version=$2 cache
    cache=${CARGO_HOME:-$HOME/.cargo}/registry/cache
    local found
    found=$(find "$cache" -maxdepth 2 -name "$name-$version.crate" 2>/dev/null | head -n 1)
    if [ -z "$found" ]; then
        local scratch="$work/fetch-$name"
        mkdir -p "$scratch/src"
        printf '[package]\nname = "fetch-%s"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n%s = "=%s"\n' \
            "$name" "$name" "$version" > "$scratch/Cargo.toml"
        : > "$scratch/src/lib.rs"
        cargo fetch --quiet --manifest-path "$scratch/Cargo.toml" \
            --target "$(rustc -vV | sed -n 's/^host: //p')" >&2
        found=$(find "$cache" -maxdepth 2 -name "$name-$version.crate" | head -n 1)
    fi
    if [ -z "$found" ]; then
        echo "check-vendor: $name $version is neither in cargo's cache nor downloadable" >&2
        return 1
    fi
    echo "$found"
}

status=0
for name in "${crates[@]}"; do
    vendored="vendor/$name"
    version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$vendored/Cargo.toml" | head -n 1)
    file=$(crate_file "$name" "$version")
    want=$(cat "vendor/patches/$name.sha256")
    got=$(sha256sum "$file" | cut -d' ' -f1)
    if [ "$got" != "$want" ]; then
        echo "check-vendor: $file has SHA-256 $got, not the release's $want" >&2
        exit 1
    fi

    # a/: the release less the trimmed files; b/: the vendored tree less PATCHED.md.
    mkdir -p "$work/$name"
    tar -xzf "$file" -C "$work/$name"
    mv "$work/$name/$name-$version" "$work/$name/a"
    while IFS= read -r path; do
        case "$path" in '' | '#'*) continue ;; esac
        rm -rf "${work:?}/$name/a/$path"
    done < "vendor/patches/$name.trim"
    cp -r "$vendored" "$work/$name/b"
    rm -f "$work/$name/b/PATCHED.md"

    if $update; then
        # Paths as a/... and b/..., no timestamps: a stable diff for `patch -p1`.
        (cd "$work/$name" && diff -ruN a b || true) |
            sed -E 's/^(---|\+\+\+) ([^\t]*)\t.*$/\1 \2/' > "vendor/patches/$name.diff"
        echo "check-vendor: wrote vendor/patches/$name.diff ($name $version)"
        continue
    fi

    (cd "$work/$name/a" && patch -p1 --quiet --no-backup-if-mismatch -f) \
        < "vendor/patches/$name.diff" > "$work/$name/patch.log" 2>&1 || {
        echo "check-vendor: vendor/patches/$name.diff does not apply to $name $version:" >&2
        cat "$work/$name/patch.log" >&2
        status=1
        continue
    }
    if diff -r "$work/$name/a" "$work/$name/b" > "$work/$name/rest.diff"; then
        echo "check-vendor: vendor/$name is $name $version from crates.io plus vendor/patches/$name.diff"
    else
        echo "check-vendor: vendor/$name differs from $name $version plus vendor/patches/$name.diff:" >&2
        sed -n '1,60p' "$work/$name/rest.diff" >&2
        echo "(after a deliberate change to vendor/$name, run .ci/check-vendor.sh --update)" >&2
        status=1
    fi
done
exit $status
