#!/usr/bin/env python3
"""Writes the bad-input corpus: cases/*.bin (request bodies) and manifest.tsv (what ingest must answer).

Regenerate with: python3 ingest/src/test/resources/bad-input/generate.py
Columns of manifest.tsv: file, status, code, accepted (frames stored, '-' = not checked), headers (JSON object;
a null value removes a default header), description. BadInputCorpusTest sends each body with
Authorization: Basic token:<TOKEN> and Content-Type: application/logplex-1 unless the headers say otherwise.
"""
import base64, gzip, json, os, shutil

TOKEN = "lt_corpus0123456789abcdefghijklmnopq"
HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
TS = "2026-11-23T10:11:12.345Z"
rows = []


def frame(msg: bytes) -> bytes:
    return str(len(msg)).encode() + b" " + msg


def line(pri="<190>", version="1", ts=TS, host="pg-1", app=TOKEN, procid="postgres.1", msgid="-", sd="-",
         msg="checkpoint complete"):
    parts = [pri.encode() + version.encode() if isinstance(pri, str) else pri + version.encode()]
    for p in (ts, host, app, procid, msgid, sd):
        parts.append(p if isinstance(p, bytes) else p.encode())
    head = b" ".join(parts)
    if msg is None:
        return head
    return head + b" " + (msg if isinstance(msg, bytes) else msg.encode())


def case(slug, body, status, code="", accepted="-", headers=None, description=""):
    name = "%03d-%s.bin" % (len(rows) + 1, slug)
    with open(os.path.join(CASES, name), "wb") as f:
        f.write(body)
    rows.append([name, str(status), code, str(accepted), json.dumps(headers or {}, separators=(",", ":")),
                 description or slug])


def invalid(slug, bad_line, description=""):
    """A valid frame, the bad one, a valid frame: 400 invalid_frames, the two valid ones stored."""
    body = frame(line(msg="before")) + frame(bad_line) + frame(line(msg="after"))
    case(slug, body, 400, "invalid_frames", 2, description=description)


def main():
    shutil.rmtree(CASES, ignore_errors=True)
    os.makedirs(CASES)
    good = frame(line())

    # ---- PRI ----
    for pri in ["<192>", "<999>", "<1000>", "<-1>", "<>", "<abc>", "190>", "<190", "<01>", "<000>", "<1 90>",
                "<19a>", "[190]", "< 190>", "<0190>"]:
        invalid("pri-" + pri.replace("<", "lt").replace(">", "gt").replace(" ", "sp").replace("[", "sq")
                .replace("]", "sq"), line(pri=pri), "PRI " + pri)
    # ---- VERSION ----
    for v in ["0", "2", "11", "x", "", "1.0", "01"]:
        invalid("version-" + (v or "empty").replace(".", "dot"), line(version=v), "VERSION '%s'" % v)
    # ---- TIMESTAMP ----
    for ts in ["2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-11-32T00:00:00Z", "2026-02-30T00:00:00Z",
               "2026-11-23t10:11:12Z", "2026-11-23 10:11:12Z", "2026-11-23T25:00:00Z", "2026-11-23T10:60:00Z",
               "2026-11-23T10:11:61Z", "2026-11-23T10:11:12", "2026-11-23T10:11:12.1234567Z",
               "2026-11-23T10:11:12.Z", "2026-11-23T10:11:12+25:00", "2026-11-23T10:11:12+0100",
               "2026-11-23T10:11:12z", "26-11-23T10:11:12Z", "2026/11/23T10:11:12Z", "2026-11-23T10:11Z",
               "20261123T101112Z", "yesterday", "2026-11-23T10:11:12+01:60", "2026-1-23T10:11:12Z",
               "2026-11-23T1:11:12Z", "2026-11-23T10:11:12.Z", "2026-11-23T10:11:12.12a4Z", "--"]:
        invalid("timestamp-" + str(len(rows) + 1), line(ts=ts), "TIMESTAMP " + ts)
    # ---- HOSTNAME, APP-NAME, PROCID, MSGID: length, bytes, emptiness ----
    invalid("hostname-too-long", line(host="h" * 256), "HOSTNAME of 256 characters")
    invalid("hostname-nul", line(host=b"pg\x00host"), "NUL in HOSTNAME")
    invalid("hostname-non-ascii", line(host="hôte".encode()), "UTF-8 in HOSTNAME")
    invalid("hostname-tab", line(host=b"pg\thost"), "TAB in HOSTNAME")
    invalid("hostname-del", line(host=b"pg\x7fhost"), "DEL in HOSTNAME")
    invalid("app-other-token", line(app="lt_someone_else_entirely_000000000"), "APP-NAME of another token")
    invalid("app-nil", line(app="-"), "APP-NAME nil")
    invalid("app-too-long", line(app="a" * 49), "APP-NAME over 48")
    invalid("app-prefix", line(app=TOKEN[:-1]), "APP-NAME a prefix of the token")
    invalid("app-suffix", line(app=TOKEN + "x"), "APP-NAME token plus a character")
    invalid("app-upper", line(app=TOKEN.upper()), "APP-NAME in upper case")
    invalid("procid-too-long", line(procid="p" * 129), "PROCID over 128")
    invalid("procid-nul", line(procid=b"web\x001"), "NUL in PROCID")
    invalid("msgid-too-long", line(msgid="m" * 33), "MSGID over 32")
    invalid("msgid-non-ascii", line(msgid="é".encode()), "UTF-8 in MSGID")
    invalid("double-space-host", line(host=""), "empty HOSTNAME (two spaces)")
    invalid("double-space-procid", line(procid=""), "empty PROCID")
    invalid("double-space-msgid", line(msgid=""), "empty MSGID")
    invalid("ends-after-pri", b"<190>", "nothing after PRI")
    invalid("ends-after-version", b"<190>1", "nothing after VERSION")
    invalid("ends-after-timestamp", ("<190>1 " + TS).encode(), "nothing after TIMESTAMP")
    invalid("ends-after-host", ("<190>1 " + TS + " pg-1").encode(), "nothing after HOSTNAME")
    invalid("ends-after-app", ("<190>1 " + TS + " pg-1 " + TOKEN).encode(), "nothing after APP-NAME")
    invalid("ends-after-procid", ("<190>1 " + TS + " pg-1 " + TOKEN + " web.1").encode(), "nothing after PROCID")
    invalid("only-spaces", b"      ", "six spaces")
    invalid("free-text", b"this is not syslog at all", "free text")
    invalid("rfc3164", ("<34>Oct 11 22:14:15 mymachine " + TOKEN + ": 'su root' failed").encode(), "RFC 3164 line")
    invalid("json-line", b'{"level":"info","msg":"hello"}', "a JSON line")
    invalid("nul-only", b"\x00" * 20, "NUL bytes only")
    invalid("binary", bytes(range(256)), "every byte value")
    # ---- STRUCTURED-DATA ----
    for sd in ['[', '[]', '[id', '[id a="1"', '[id a=1]', '[id a="1]', '[id a]', '[id ="1"]', '[id a= "1"]',
               '[i d]', '[id a="1"][', '[id a="1"]x', '[' + 'n' * 33 + ']', '[id ' + 'p' * 33 + '="1"]',
               '[id a="1" ]', '[id  a="1"]', '[id a="1"]]', '[é]', '[id\x00]', '[id a="\\"]', '[id=1]', '[id a="1"b="2"]']:
        invalid("sd-" + str(len(rows) + 1), line(sd=sd.encode() if isinstance(sd, str) else sd), "SD " + repr(sd))

    # ---- bodies where every frame is bad, and bad frames spread through many good ones ----
    only_bad = [line(pri="<192>"), line(version="2"), line(ts="2026-13-01T00:00:00Z"), line(host="h" * 256),
                line(app="-"), line(procid="p" * 129), line(msgid="m" * 33), line(sd="[id a=1]"), b"free text",
                b"\x00" * 8]
    for i, bad in enumerate(only_bad):
        case("only-bad-%d" % i, frame(bad) * 3, 400, "invalid_frames", 0, description="three bad frames, no good one")
    for every in (2, 3, 5, 10, 50):
        frames = [frame(line(msg="n%d" % i)) if i % every else frame(line(pri="<200>", msg="bad%d" % i))
                  for i in range(100)]
        bad_count = len(range(0, 100, every))
        case("every-%d-bad" % every, b"".join(frames), 400, "invalid_frames", 100 - bad_count,
             description="100 frames, every %dth invalid" % every)
    for pri in ["<192 >", "<\x00>", "<1\x00>", "<>1", "<<190>>", "<190>>"]:
        invalid("pri-extra-" + str(len(rows) + 1), line(pri=pri.encode("latin-1").decode("unicode_escape")),
                "PRI " + pri)

    # ---- framing: each stops parsing; frames before the break are stored ----
    def framing(slug, tail, accepted=1, description=""):
        case(slug, good + tail, 400, "bad_framing", accepted, description=description)
    framing("len-non-digit", b"abc " + line(), description="LEN not a number")
    framing("len-leading-zero", b"0" + frame(line()), description="LEN with a leading zero")
    framing("len-zero", b"0 ", description="LEN 0")
    framing("len-negative", b"-5 hello", description="negative LEN")
    framing("len-plus", b"+5 hello", description="LEN with a plus sign")
    framing("len-hex", b"0x10 " + b"a" * 16, description="hexadecimal LEN")
    framing("len-no-space", str(len(line())).encode() + line(), description="no space after LEN")
    framing("len-tab", str(len(line())).encode() + b"\t" + line(), description="TAB after LEN")
    framing("len-two-spaces", str(len(line())).encode() + b"  " + line(), description="two spaces after LEN")
    framing("len-past-end", b"500 " + line(), description="LEN past the end of the body")
    framing("len-one-too-many", str(len(line()) + 1).encode() + b" " + line(), description="LEN one byte too long")
    framing("len-oversized", b"999999999 " + line(), description="LEN far over the frame limit")
    framing("len-just-over-limit", b"262145 " + b"x" * 100, description="LEN one over the 256 KiB frame limit")
    framing("len-20-digits", b"9" * 20 + b" x", description="20-digit LEN")
    framing("len-10000-digits", b"1" * 10000 + b" x", description="10,000-digit LEN")
    framing("len-only", b"42", description="body ends inside LEN")
    framing("len-space-only", b"42 ", description="body ends after LEN")
    framing("cr-alone", b"\r", description="CR not followed by LF")
    framing("cr-then-text", b"\rabc", description="CR then text")
    framing("garbage-between", b"xx" + good, description="garbage between frames")
    framing("nul-between", b"\x00" + good, description="NUL between frames")
    framing("space-before-len", b" " + good, description="space before LEN")
    framing("len-unicode-digit", "٣ abc".encode(), description="Arabic-Indic digit as LEN")
    case("starts-with-garbage", b"hello world", 400, "bad_framing", 0, description="no frame at all")
    case("starts-with-space", b" " + good, 400, "bad_framing", 0, description="leading space")
    case("len-too-short", str(len(line()) - 5).encode() + b" " + line(), 400, "bad_framing", 1,
         description="LEN five bytes short: the cut line is still valid (stored), the rest is a bad LEN")
    case("html-body", b"<html><body>hi</body></html>", 400, "bad_framing", 0, description="an HTML page")
    case("json-body", b'{"logs":["a","b"]}', 400, "bad_framing", 0, description="a JSON document")

    # ---- accepted oddities: MSG is bytes ----
    def ok(slug, body, frames, headers=None, description=""):
        case(slug, body, 204, "", frames, headers, description)
    ok("msg-invalid-utf8", frame(line(msg=b"bad \xff\xfe utf-8 \xc3\x28")), 1, description="invalid UTF-8 in MSG")
    ok("msg-nul", frame(line(msg=b"nul \x00 inside")), 1, description="NUL inside MSG")
    ok("msg-bom", frame(line(msg=b"\xef\xbb\xbfwith BOM")), 1, description="UTF-8 BOM in MSG")
    ok("msg-empty", frame(line(msg=b"")), 1, description="empty MSG after the space")
    ok("msg-absent", frame(line(msg=None)), 1, description="no MSG at all")
    ok("msg-control-chars", frame(line(msg=bytes(range(1, 32)))), 1, description="control characters in MSG")
    ok("msg-newlines", frame(line(msg=b"line one\nline two\r\nline three")), 1, description="newlines in MSG")
    ok("msg-escape-sequences", frame(line(msg=b"\x1b[31mred\x1b[0m")), 1, description="ANSI escapes in MSG")
    ok("msg-brackets", frame(line(msg=b"[id a=\"1\"] not structured data")), 1, description="SD-like text in MSG")
    ok("msg-max-frame", frame(line(msg=b"x" * (262144 - len(line(msg=b""))))), 1, description="frame at exactly the limit")
    ok("lf-between", good + b"\n" + good + b"\r\n" + good, 3, description="LF and CRLF between frames")
    ok("trailing-lf", good + b"\n", 1, description="trailing LF")
    ok("sd-valid-escapes", frame(line(sd='[meta a="q\\"uote" b="back\\\\slash" c="br\\]acket"]')), 1,
       description="escaped characters in PARAM-VALUE")
    ok("many-tiny-frames", b"".join(frame(line(msg=str(i))) for i in range(500)), 500, description="500 frames")
    ok("empty-body", b"", 0, description="empty body: nothing to store")
    # STRUCTURED-DATA may be absent (Heroku drains omit it): what follows MSGID is then MSG
    ok("sd-absent-ends-after-msgid", frame(("<190>1 " + TS + " pg-1 " + TOKEN + " web.1 -").encode()), 1,
       description="nothing after MSGID: no SD, empty MSG")
    ok("sd-absent-x", frame(line(sd="x")), 1, description="'x' where SD would be: read as MSG")
    ok("sd-absent-dash-x", frame(line(sd="-x")), 1, description="'-x' where SD would be: read as MSG")
    ok("sd-then-bracket-text", frame(line(sd='[id a="1"] [id2]')), 1, description="SD, then MSG starting with '['")

    # ---- gzip ----
    gz = {"Content-Encoding": "gzip"}
    ok("gzip-valid", gzip.compress(good * 3), 3, gz, "gzip body")
    case("gzip-garbage", b"not gzip at all", 400, "bad_framing", 0, gz, "Content-Encoding gzip, body not gzip")
    case("gzip-truncated", gzip.compress(good * 50)[:-20], 400, "bad_framing", "-", gz, "truncated gzip")
    case("gzip-bad-crc", gzip.compress(good)[:-8] + b"\x00" * 8, 400, "bad_framing", "-", gz, "gzip with a wrong CRC")
    case("gzip-bomb", gzip.compress(b"\n" * (8 << 20)), 413, "body_too_large", 0, gz,
         "8 MiB of LF (valid between frames) gzipped to a few KiB: inflation is counted against the 300,000-byte limit")
    case("gzip-bomb-after-frames", gzip.compress(good * 2 + b"\n" * (4 << 20)), 413, "body_too_large", 2, gz,
         "valid frames then 4 MiB of LF")
    case("gzip-of-bad-framing", gzip.compress(b"abc def"), 400, "bad_framing", 0, gz, "gzip of a broken body")
    case("gzip-twice", gzip.compress(gzip.compress(good)), 400, "bad_framing", 0, gz, "gzip inside gzip")

    # ---- size ----
    case("body-too-large", good * (330000 // len(good)), 413, "body_too_large", "-",
         description="plain body over the 300,000-byte limit: frames before the limit are stored")

    # ---- headers and auth (nothing read, nothing stored) ----
    def basic(user, password):
        return "Basic " + base64.b64encode((user + ":" + password).encode()).decode()
    auth_cases = [
        ("auth-missing", None), ("auth-empty", ""), ("auth-empty-password", basic("token", "")),
        ("auth-other-user", basic("user", TOKEN)), ("auth-user-only", "Basic " + base64.b64encode(b"token").decode()),
        ("auth-non-base64", "Basic !!!not-base64!!!"), ("auth-bearer", "Bearer " + TOKEN),
        ("auth-unknown-token", basic("token", "lt_unknown_token_000000000000000000")),
        ("auth-token-with-space", basic("token", TOKEN + " ")), ("auth-basic-no-value", "Basic"),
        ("auth-basic-lowercase-b64-garbage", "Basic dG9rZW4"), ("auth-digest", 'Digest username="token"'),
        ("auth-huge", "Basic " + "A" * 6000),
    ]
    for slug, value in auth_cases:
        case(slug, good, 401, "unauthorized", 0, {"Authorization": value}, slug)
    for slug, ctype in [("ctype-missing", None), ("ctype-json", "application/json"), ("ctype-text", "text/plain"),
                        ("ctype-logplex-2", "application/logplex-2"), ("ctype-empty", ""),
                        ("ctype-form", "application/x-www-form-urlencoded"), ("ctype-octet", "application/octet-stream")]:
        case(slug, good, 415, "unsupported_media_type", 0, {"Content-Type": ctype}, slug)
    for slug, enc in [("encoding-br", "br"), ("encoding-deflate", "deflate"), ("encoding-compress", "compress"),
                      ("encoding-gzip-gzip", "gzip, gzip")]:
        case(slug, good, 415, "unsupported_encoding", 0, {"Content-Encoding": enc}, slug)
    case("msg-count-mismatch", good * 2, 400, "msg_count_mismatch", 2, {"Logplex-Msg-Count": "3"}, "count 3, 2 frames")
    case("msg-count-nan", good, 400, "bad_msg_count", 0, {"Logplex-Msg-Count": "three"}, "count not a number")
    case("msg-count-negative-text", good, 400, "bad_msg_count", 0, {"Logplex-Msg-Count": "1e3"}, "count 1e3")
    ok("msg-count-matches", good * 2, 2, {"Logplex-Msg-Count": "2"}, "count matches")
    case("header-absurd-size", good, 431, "", 0, {"X-Padding": "p" * 20000}, "a 20 KB header")

    with open(os.path.join(HERE, "manifest.tsv"), "w") as f:
        f.write("# generated by generate.py: file\tstatus\tcode\taccepted\theaders\tdescription\n")
        for r in rows:
            f.write("\t".join(x.replace("\t", " ") for x in r) + "\n")
    print(len(rows), "cases")


if __name__ == "__main__":
    main()
