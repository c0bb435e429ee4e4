#!/usr/bin/env bash
# Fails, listing each line, when a JSON key is spelled outside shared/: every
# key belongs to a DTO or a key constant there, so the wire format has one
# definition. A key is a lower-case name literal (u"k", u"k"_s,
# QStringLiteral("k"), "k"_L1, QLatin1String("k")) used as one:
#   value/insert/contains/remove/take(k...), through . or ->
#   obj[k]
#   { k, v }: a two-element braced list, a pair of a QJsonObject (or of a
#   QHash, or a {"query", name} error location) initializer.
# Bare "k" literals are not keys: the build defines QT_NO_CAST_FROM_ASCII, so
# a QJsonObject cannot take one (QByteArray's contains("close") can).
#
# Usage: json_keys.sh [ROOT]   scans ROOT/{server,client,bench} (default: this repository)
#        json_keys.sh --self-test   proves each form above is caught, and that
#                                   the look-alikes below are not
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" = --self-test ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/server" "$tmp/client" "$tmp/bench"
    # One offending line of each form; every one must be reported.
    cat >"$tmp/server/Offenders.cpp" <<'EOF'
void f(QJsonObject json, QJsonObject *frame, QString v)
{
    json.value(u"view");
    frame->value(u"arrow");
    json.insert(u"inserted"_s, v);
    json[u"subscript"];
    json.contains(QStringLiteral("literal"));
    json.remove("latin_one"_L1);
    json.take(QLatin1String("latin_string"));
    QUrlQuery query;
    query.addQueryItem(u"query_item"_s, v);
    QJsonObject pair { { u"pair"_s, v } };
    QJsonObject constant { { u"status"_s, u"ok"_s } };
    const QStringList location { u"query"_s, v };
    QJsonObject wrapped {
        { u"wrapped"_s,
            QJsonObject { { u"nested"_s, f(v, [] { return 1; }) } } }, { u"second"_s, 2 } };
}
EOF
    # Look-alikes that are no keys; none may be reported.
    cat >"$tmp/client/Lookalikes.cpp" <<'EOF'
void g(QByteArray header, QString v)
{
    header.contains("close"); // a bare literal: not a QJsonObject key
    choose(&Config::logLevel, { u"debug"_s, u"info"_s, u"warning"_s, u"error"_s });
    choose(&Config::logFormat, { u"text"_s, u"json"_s });
    return { { u"login"_s, stats, {} } }; // a struct's three members
    settings.value(u"window/geometry"_s); // not a name: a path
    // json.value(u"commented") in a comment
    const QString text = u"{ u\"quoted\"_s, v }"_s;
}
EOF
    expected=(view arrow inserted subscript literal latin_one latin_string query_item pair status
        query wrapped nested second)
    output=$("$0" "$tmp")
    status=$?
    failed=0
    if [ "$status" -ne 1 ]; then
        echo "self-test: expected exit status 1, got $status"
        failed=1
    fi
    for key in "${expected[@]}"; do
        if ! grep -q "\"$key\"" <<<"$output"; then
            echo "self-test: the key \"$key\" was not reported"
            failed=1
        fi
    done
    if grep -q Lookalikes <<<"$output"; then
        echo "self-test: a look-alike was reported:"
        grep Lookalikes <<<"$output"
        failed=1
    fi
    reported=$(grep -c '^server/Offenders.cpp:' <<<"$output")
    if [ "$reported" -ne 13 ]; then # wrapped and nested share a line
        echo "self-test: expected 13 reported lines, got $reported"
        failed=1
    fi
    [ "$failed" -eq 0 ] && echo "self-test: every form caught, no look-alike reported"
    [ "$failed" -eq 0 ] || { echo "$output"; exit 1; }
    exit 0
fi

root=${1:-$(cd "$here/../.." && pwd)}
cd "$root" || exit 2
mapfile -t files < <(grep -rlE --include='*.cpp' --include='*.h' '"[a-z_]+"' \
    server client bench 2>/dev/null | sort)
[ "${#files[@]}" -eq 0 ] && { echo "no JSON key outside shared/"; exit 0; }
found=$(perl "$here/json_keys.pl" "${files[@]}")
if [ -n "$found" ]; then
    echo "JSON keys spelled outside shared/ (use a shared DTO or key constant):"
    echo "$found"
    exit 1
fi
echo "no JSON key outside shared/"
