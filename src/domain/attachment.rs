//! What the attachment store takes: images and PDFs, recognised by their first bytes (a name or
//! a declared type proves nothing), and identified by the SHA-256 of their content so that the
//! same file is stored once.

use sha2::{Digest, Sha256};

const JPEG: &str = "image/jpeg";
const PNG: &str = "image/png";
const GIF: &str = "image/gif";
const WEBP: &str = "image/webp";
const PDF: &str = "application/pdf";

/// Every media type the store takes, and so answers with (the API document lists them).
pub const MEDIA_TYPES: &[&str] = &[JPEG, PNG, GIF, WEBP, PDF];

/// The media type of `bytes` if it is a file the store takes: JPEG, PNG, GIF, WebP or PDF.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    const KINDS: &[(&[u8], &str)] = &[
        (b"\xFF\xD8\xFF", JPEG),
        (b"\x89PNG\r\n\x1A\n", PNG),
        (b"GIF87a", GIF),
        (b"GIF89a", GIF),
        (b"%PDF-", PDF),
    ];
    if let Some((_, kind)) = KINDS.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Some(kind);
    }
    // RIFF, four bytes of length, WEBP.
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(WEBP);
    }
    None
}

/// The id of a file: the lowercase hex SHA-256 of its bytes.
pub fn content_id(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `id` can be a content id (64 lowercase hex digits).
pub fn is_content_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The name a file is served under: the uploader's name without path or control characters,
/// or a name made from the id.
pub fn file_name(given: Option<&str>, id: &str, content_type: &str) -> String {
    let base = given
        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(""))
        .map(|n| n.chars().filter(|c| !c.is_control() && *c != '"').collect::<String>())
        .map(|n| n.trim().chars().take(120).collect::<String>())
        .unwrap_or_default();
    if !base.is_empty() {
        return base;
    }
    let ext = match content_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => "pdf",
    };
    format!("{}.{ext}", &id[..12.min(id.len())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_and_pdfs_by_their_bytes_only() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1A\n...."), Some("image/png"));
        assert_eq!(sniff(b"GIF89a.."), Some("image/gif"));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WAVEfmt "), None);
        assert_eq!(sniff(b"<html>"), None);
        assert_eq!(sniff(b"\x89PN"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn names_are_cleaned() {
        let id = content_id(b"x");
        assert!(is_content_id(&id));
        assert!(!is_content_id("../etc/passwd"));
        assert_eq!(file_name(Some("C:\\photos\\漏水.jpg"), &id, "image/jpeg"), "漏水.jpg");
        assert_eq!(file_name(Some("a\"b\n.png"), &id, "image/png"), "ab.png");
        assert_eq!(
            file_name(Some("  "), &id, "application/pdf"),
            format!("{}.pdf", &id[..12])
        );
    }
}
