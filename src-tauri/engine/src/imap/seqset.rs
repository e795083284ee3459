//! UID sequence sets (RFC 3501 §9 `sequence-set`): building compact ranges and chunking.

/// Formats sorted, de-duplicated UIDs as a compact set such as `1:5,7,9:12`.
pub fn format(uids: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end + 1 {
            i += 1;
            end = uids[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

/// Splits UIDs into chunks of at most `size`, newest (highest) first, each chunk sorted
/// ascending so it formats compactly. The newest mail is fetched first so it is usable early.
pub fn newest_first_chunks(uids: &[u32], size: usize) -> Vec<Vec<u32>> {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut chunks: Vec<Vec<u32>> = sorted.rchunks(size.max(1)).map(<[u32]>::to_vec).collect();
    for c in &mut chunks {
        c.sort_unstable();
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_ranges() {
        assert_eq!(format(&[]), "");
        assert_eq!(format(&[4]), "4");
        assert_eq!(format(&[1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
    }

    #[test]
    fn chunks_newest_first() {
        let chunks = newest_first_chunks(&[5, 1, 2, 9, 3, 7, 7], 2);
        assert_eq!(chunks, vec![vec![7, 9], vec![3, 5], vec![1, 2]]);
    }
}
