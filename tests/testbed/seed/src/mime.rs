//! Small MIME helpers: base64, quoted-printable, RFC 2047 encoded words,
//! RFC 2231 parameters and RFC 5322 dates. All output uses bare LF line
//! endings (the maildir convention); `--one` converts to CRLF at the end.

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 without line breaks.
pub fn base64(input: &[u8], out: &mut Vec<u8>) {
    let mut chunks = input.chunks_exact(3);
    for c in &mut chunks {
        let n = (c[0] as u32) << 16 | (c[1] as u32) << 8 | c[2] as u32;
        out.extend_from_slice(&[
            B64[(n >> 18) as usize & 63],
            B64[(n >> 12) as usize & 63],
            B64[(n >> 6) as usize & 63],
            B64[n as usize & 63],
        ]);
    }
    match *chunks.remainder() {
        [a] => {
            let n = (a as u32) << 16;
            out.extend_from_slice(&[
                B64[(n >> 18) as usize & 63],
                B64[(n >> 12) as usize & 63],
                b'=',
                b'=',
            ]);
        }
        [a, b] => {
            let n = (a as u32) << 16 | (b as u32) << 8;
            out.extend_from_slice(&[
                B64[(n >> 18) as usize & 63],
                B64[(n >> 12) as usize & 63],
                B64[(n >> 6) as usize & 63],
                b'=',
            ]);
        }
        _ => {}
    }
}

/// Base64 body with 76-character lines, each ending in LF.
pub fn base64_lines(input: &[u8], out: &mut Vec<u8>) {
    for chunk in input.chunks(57) {
        base64(chunk, out);
        out.push(b'\n');
    }
}

/// Quoted-printable (RFC 2045) with soft line breaks at 76 columns.
/// Input line breaks are LF and stay hard line breaks.
pub fn quoted_printable(input: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for (i, line) in input.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        let mut col = 0;
        for (j, &b) in line.iter().enumerate() {
            let last = j + 1 == line.len();
            let literal =
                (b == b' ' || b == b'\t') && !last || (33..=126).contains(&b) && b != b'=';
            let width = if literal { 1 } else { 3 };
            // keep room for the soft break '=' (max 76 chars per line)
            if col + width > 75 {
                out.extend_from_slice(b"=\n");
                col = 0;
            }
            if literal {
                out.push(b);
            } else {
                out.extend_from_slice(&[b'=', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
            }
            col += width;
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WordEnc {
    /// =?UTF-8?B?...?=
    Utf8B,
    /// =?UTF-8?Q?...?=
    Utf8Q,
    /// =?ISO-8859-1?Q?...?= (falls back to UTF-8 B when not representable)
    Latin1Q,
}

fn q_encode_byte(b: u8, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    if b == b' ' {
        out.push('_');
    } else if b.is_ascii_alphanumeric() || b"!*+-/".contains(&b) {
        out.push(b as char);
    } else {
        out.push('=');
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
}

/// RFC 2047 encoding of `text` as one or more encoded words (each at most
/// 75 characters), joined with folding whitespace ("\n ").
pub fn encoded_words(text: &str, enc: WordEnc) -> String {
    let latin1: Option<Vec<u8>> = if enc == WordEnc::Latin1Q {
        text.chars()
            .map(|c| {
                if (c as u32) < 256 {
                    Some(c as u32 as u8)
                } else {
                    None
                }
            })
            .collect()
    } else {
        None
    };
    let enc = if enc == WordEnc::Latin1Q && latin1.is_none() {
        WordEnc::Utf8B
    } else {
        enc
    };
    let prefix = match enc {
        WordEnc::Utf8B => "=?UTF-8?B?",
        WordEnc::Utf8Q => "=?UTF-8?Q?",
        WordEnc::Latin1Q => "=?ISO-8859-1?Q?",
    };
    let budget = 75 - prefix.len() - 2;
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new(); // encoded payload of the current word
    let mut raw = Vec::new(); // raw bytes of the current word (for B)
    let push_word = |payload: &str, words: &mut Vec<String>| {
        words.push(format!("{prefix}{payload}?="));
    };
    match enc {
        WordEnc::Utf8B => {
            // 45 raw bytes -> 60 base64 chars; never split a character.
            for c in text.chars() {
                let mut buf = [0u8; 4];
                let bytes = c.encode_utf8(&mut buf).as_bytes();
                if raw.len() + bytes.len() > 45 {
                    let mut o = Vec::new();
                    base64(&raw, &mut o);
                    push_word(std::str::from_utf8(&o).unwrap(), &mut words);
                    raw.clear();
                }
                raw.extend_from_slice(bytes);
            }
            if !raw.is_empty() {
                let mut o = Vec::new();
                base64(&raw, &mut o);
                push_word(std::str::from_utf8(&o).unwrap(), &mut words);
            }
        }
        WordEnc::Utf8Q | WordEnc::Latin1Q => {
            let mut char_bytes: Vec<Vec<u8>> = Vec::new();
            if let Some(l1) = &latin1 {
                char_bytes.extend(l1.iter().map(|&b| vec![b]));
            } else {
                for c in text.chars() {
                    let mut buf = [0u8; 4];
                    char_bytes.push(c.encode_utf8(&mut buf).as_bytes().to_vec());
                }
            }
            for bytes in char_bytes {
                let mut piece = String::new();
                for b in bytes {
                    q_encode_byte(b, &mut piece);
                }
                if cur.len() + piece.len() > budget {
                    push_word(&cur, &mut words);
                    cur.clear();
                }
                cur.push_str(&piece);
            }
            if !cur.is_empty() {
                push_word(&cur, &mut words);
            }
        }
    }
    words.join("\n ")
}

/// RFC 2231 extended parameter, e.g. `filename*=UTF-8''%C3%9Cbersicht.pdf`,
/// split into `name*0*=...; name*1*=...` continuations when long.
pub fn rfc2231_param(name: &str, value: &str) -> String {
    let mut enc = String::new();
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    let full = format!("UTF-8''{enc}");
    if full.len() <= 60 {
        return format!("{name}*={full}");
    }
    // split at '%XX' boundaries into ~50-character segments
    let mut parts = Vec::new();
    let mut rest = full.as_str();
    while !rest.is_empty() {
        let mut cut = rest.len().min(50);
        while cut < rest.len() {
            // don't cut inside a %XX triplet
            let seg = &rest[..cut];
            match seg.rfind('%') {
                Some(p) if p + 3 > cut => cut = p,
                // don't split a UTF-8 sequence: no cut before a continuation byte
                _ if rest[cut..].starts_with(['%'])
                    && matches!(rest.as_bytes()[cut + 1], b'8' | b'9' | b'A' | b'B') =>
                {
                    cut = seg.rfind('%').unwrap_or(0);
                    if cut == 0 {
                        break;
                    }
                }
                _ => break,
            }
        }
        parts.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{name}*{i}*={p}"))
        .collect::<Vec<_>>()
        .join(";\n ")
}

/// Days since 1970-01-01 -> (year, month 1-12, day 1-31). (H. Hinnant)
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// RFC 5322 date, e.g. "Tue, 03 Mar 2020 14:22:10 +0100", for the UTC
/// instant `t` shown in a zone `offset_min` minutes east of UTC.
pub fn rfc5322_date(t: i64, offset_min: i32) -> String {
    const DOW: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    let local = t + offset_min as i64 * 60;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let sign = if offset_min < 0 { '-' } else { '+' };
    let off = offset_min.abs();
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} {}{:02}{:02}",
        DOW[days.rem_euclid(7) as usize],
        d,
        crate::data::MONTHS[m as usize - 1],
        y,
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        sign,
        off / 60,
        off % 60
    )
}

/// Folds an unstructured ASCII header value at spaces so lines stay
/// under 78 characters. `used` is the length of "Name: " already on the line.
pub fn fold(value: &str, used: usize) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    let mut col = used;
    for (i, word) in value.split(' ').enumerate() {
        if i > 0 {
            if col + 1 + word.len() > 76 && col > 1 {
                out.push_str("\n ");
                col = 1;
            } else {
                out.push(' ');
                col += 1;
            }
        }
        out.push_str(word);
        col += word.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            let mut v = Vec::new();
            base64(i.as_bytes(), &mut v);
            assert_eq!(String::from_utf8(v).unwrap(), o);
        }
    }

    #[test]
    fn qp_lines_are_short_and_reversible_looking() {
        let text = "Grüße aus Zürich! ".repeat(20) + "\nend = done \n";
        let mut v = Vec::new();
        quoted_printable(text.as_bytes(), &mut v);
        let s = String::from_utf8(v).unwrap();
        assert!(s.lines().all(|l| l.len() <= 76), "{s}");
        assert!(s.contains("=C3=BC"));
        assert!(s.contains("end =3D done=20"));
    }

    #[test]
    fn encoded_words_are_bounded() {
        let s = "Привет из Москвы — очень длинная тема письма для проверки переноса";
        for e in [WordEnc::Utf8B, WordEnc::Utf8Q, WordEnc::Latin1Q] {
            let w = encoded_words(s, e);
            assert!(
                w.split("\n ")
                    .all(|x| x.len() <= 75 && x.starts_with("=?UTF-8?")),
                "{w}"
            );
        }
        assert_eq!(
            encoded_words("Café", WordEnc::Latin1Q),
            "=?ISO-8859-1?Q?Caf=E9?="
        );
        assert_eq!(
            encoded_words("Café", WordEnc::Utf8Q),
            "=?UTF-8?Q?Caf=C3=A9?="
        );
        assert_eq!(
            encoded_words("Café", WordEnc::Utf8B),
            "=?UTF-8?B?Q2Fmw6k=?="
        );
    }

    #[test]
    fn dates() {
        assert_eq!(rfc5322_date(0, 0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(
            rfc5322_date(1_583_241_730, 60),
            "Tue, 03 Mar 2020 14:22:10 +0100"
        );
        assert_eq!(
            rfc5322_date(1_583_241_730, -300),
            "Tue, 03 Mar 2020 08:22:10 -0500"
        );
    }

    fn percent_decode(s: &str) -> Vec<u8> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        out
    }

    #[test]
    fn rfc2231() {
        assert_eq!(
            rfc2231_param("filename", "Übersicht.pdf"),
            "filename*=UTF-8''%C3%9Cbersicht.pdf"
        );
        let long = rfc2231_param(
            "filename",
            "Präsentation für das Café in Genève (endgültige Fassung).pdf",
        );
        assert!(long.starts_with("filename*0*=UTF-8''"));
        assert!(long.contains("filename*1*="));
        // segments end on character boundaries
        for seg in long.split(";\n ") {
            let v = seg
                .split_once("*=")
                .unwrap()
                .1
                .trim_start_matches("UTF-8''");
            let bytes: Vec<u8> = percent_decode(v);
            assert!(std::str::from_utf8(&bytes).is_ok(), "{seg}");
        }
    }
}
