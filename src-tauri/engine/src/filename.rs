//! File names from mail made safe to create on any OS: an attachment's name is chosen by the
//! sender, so it must not climb directories, hide its extension, or name a device.

/// Longest name kept, in bytes: well under the 255 most file systems allow, leaving room for
/// the " (2)" a save dialog may add.
const MAX_LEN: usize = 200;

/// Windows device names, reserved with any extension (`CON.txt`) and in any case.
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$", "COM0", "COM1", "COM2", "COM3",
    "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5",
    "LPT6", "LPT7", "LPT8", "LPT9",
];

/// A file name safe to create: only the last path component, no control or bidirectional
/// formatting characters (which can disguise `exe` as `pdf`), none of `<>:"|?*`, no leading
/// dots (hidden files, `..`), no trailing dots or spaces (Windows drops them), not empty, at
/// most 200 bytes, and never a reserved Windows device name.
pub fn safe_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut s: String = base
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(|c| {
            if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .collect();
    s = s
        .trim()
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' '])
        .to_string();
    while s.len() > MAX_LEN {
        s.pop();
    }
    let stem = s
        .split('.')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_uppercase();
    if s.is_empty() {
        return "attachment".into();
    }
    if RESERVED.contains(&stem.as_str()) {
        return format!("attachment-{s}");
    }
    s
}

/// Bidirectional overrides and isolates, zero-width and other format characters: they change
/// how a name reads without being seen.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}'
        | '\u{feff}'
        | '\u{061c}'
        | '\u{00ad}')
}

#[cfg(test)]
mod tests {
    use super::safe_filename;

    #[test]
    fn paths_are_cut_to_the_last_component() {
        assert_eq!(safe_filename("../../etc/passwd"), "passwd");
        assert_eq!(safe_filename("C:\\Windows\\evil.exe"), "evil.exe");
        assert_eq!(safe_filename("/abs/path/x.txt"), "x.txt");
        assert_eq!(safe_filename("..\\..\\boot.ini"), "boot.ini");
        assert_eq!(safe_filename("dir/"), "attachment");
        assert_eq!(safe_filename(".."), "attachment");
        assert_eq!(safe_filename("..."), "attachment");
    }

    #[test]
    fn hidden_and_trailing_tricks_go() {
        assert_eq!(safe_filename(".bashrc"), "bashrc");
        assert_eq!(safe_filename(" . .profile"), "profile");
        assert_eq!(safe_filename("report.pdf. . "), "report.pdf");
        assert_eq!(safe_filename("  spaced.txt  "), "spaced.txt");
    }

    #[test]
    fn control_and_invisible_characters_go() {
        assert_eq!(safe_filename("a\u{0}b\nc.txt"), "a_b_c.txt");
        assert_eq!(safe_filename("a\u{7f}b\u{1b}[31m.txt"), "a_b_[31m.txt");
        // "invoice<U+202E>fdp.exe" reads as "invoiceexe.pdf" with the override.
        assert_eq!(safe_filename("invoice\u{202e}fdp.exe"), "invoicefdp.exe");
        assert_eq!(safe_filename("a\u{200b}b\u{2066}c\u{feff}.txt"), "abc.txt");
        assert_eq!(safe_filename("what?<*>|\".txt"), "what______.txt");
        assert_eq!(safe_filename("c:stream.txt"), "c_stream.txt");
    }

    #[test]
    fn windows_device_names_are_renamed() {
        for n in [
            "CON",
            "con.txt",
            "Nul.tar.gz",
            "COM1.log",
            "lpt9",
            "AUX .txt",
            "conin$",
        ] {
            assert!(safe_filename(n).starts_with("attachment-"), "{n}");
        }
        for n in ["console.txt", "com10.txt", "auxiliary", "nullable.rs"] {
            assert_eq!(safe_filename(n), n);
        }
    }

    #[test]
    fn names_stay_readable_and_short() {
        assert_eq!(safe_filename("résumé 2026.pdf"), "résumé 2026.pdf");
        assert_eq!(safe_filename("日本語.txt"), "日本語.txt");
        assert_eq!(safe_filename(""), "attachment");
        let long = safe_filename(&"é".repeat(500));
        assert!(long.len() <= 200 && long.chars().all(|c| c == 'é'));
    }
}
