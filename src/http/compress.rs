//! Compression of responses (issue 17): gzip when the client asks for it, for text (JSON,
//! problem+json, YAML, HTML, scripts, styles) of at least 1 KiB. The API documents (2 MB) and
//! the spec (0.5 MB) shrink tenfold; a list page of 50 shrinks about fivefold.
//!
//! Only responses: a request body is never decompressed (an anonymous caller could otherwise
//! send a small body that expands without bound). Files (photos, PDFs, workbooks) are sent as
//! they are: they are compressed already. The web pages' assets come compressed once, at start
//! (`crate::web`), and pass through untouched.

use poem::http::{header, HeaderValue, Method};
use poem::{Request, Response};
use std::io::Write;

/// Below this a compressed body saves less than the header costs.
const MIN_BYTES: usize = 1024;

/// Whether the client accepts gzip (`gzip` or `*`, not with `q=0`).
pub fn accepts_gzip(req: &Request) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                matches!(
                    p.trim().replace(' ', "").as_str(),
                    "q=0" | "q=0.0" | "q=0.00" | "q=0.000"
                )
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// `body` gzipped, if that makes it smaller.
pub fn gzip(body: &[u8], level: u32) -> Option<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::new(level));
    enc.write_all(body).ok()?;
    let out = enc.finish().ok()?;
    (out.len() + 64 < body.len()).then_some(out)
}

fn is_text(content_type: &str) -> bool {
    let t = content_type.split(';').next().unwrap_or("").trim();
    t.starts_with("text/")
        || t == "application/json"
        || t == "application/problem+json"
        || t == "application/yaml"
        || t == "application/x-yaml"
        || t == "application/javascript"
}

/// The response, gzipped when the request asked for it and it is text worth compressing.
pub async fn maybe(accepts: bool, method: &Method, mut resp: Response) -> Response {
    let compressible = accepts
        && method != Method::HEAD
        && !resp.headers().contains_key(header::CONTENT_ENCODING)
        && resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_text);
    if !compressible {
        return resp;
    }
    // Text bodies here are built in memory already (JSON, pages): reading them costs nothing new.
    let body = match resp.take_body().into_bytes().await {
        Ok(b) => b,
        Err(_) => return resp,
    };
    let headers = resp.headers_mut();
    if !headers.get_all(header::VARY).iter().any(|v| v == "Accept-Encoding") {
        headers.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    match (body.len() >= MIN_BYTES).then(|| gzip(&body, 1)).flatten() {
        Some(z) => {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            headers.remove(header::CONTENT_LENGTH);
            resp.set_body(z);
        }
        None => resp.set_body(body),
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_honoured_unless_refused() {
        let with = |v: &str| Request::builder().header(header::ACCEPT_ENCODING, v).finish();
        assert!(accepts_gzip(&with("gzip, deflate, br")));
        assert!(accepts_gzip(&with("br;q=1.0, gzip;q=0.8")));
        assert!(!accepts_gzip(&with("gzip;q=0")));
        assert!(!accepts_gzip(&with("identity")));
        assert!(!accepts_gzip(&Request::builder().finish()));
    }

    #[test]
    fn only_text_is_compressed() {
        assert!(is_text("application/json; charset=utf-8"));
        assert!(is_text("application/problem+json"));
        assert!(is_text("text/html; charset=utf-8"));
        assert!(!is_text("image/png"));
        assert!(!is_text("application/pdf"));
        assert!(!is_text(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ));
    }
}
