//! Compression of responses (issue 17): brotli or gzip, as the client asks, for text (JSON,
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

/// A content coding the server sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Gzip,
}

impl Coding {
    pub fn name(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        }
    }
}

/// The coding to answer with: brotli or gzip, whichever the client weighs more (brotli on a
/// tie, being smaller); `*` stands for both; `q=0` refuses. `None`: send it as it is.
pub fn negotiate(req: &Request) -> Option<Coding> {
    let (mut br, mut gz, mut any) = (None::<f32>, None::<f32>, None::<f32>);
    for coding in req
        .headers()
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .take(32)
    {
        let mut parts = coding.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.trim().parse::<f32>().ok()))
            .unwrap_or(1.0);
        match name.as_str() {
            "br" => br = Some(q),
            "gzip" | "x-gzip" => gz = Some(q),
            "*" => any = Some(q),
            _ => {}
        }
    }
    let (br, gz) = (br.or(any).unwrap_or(0.0), gz.or(any).unwrap_or(0.0));
    if br > 0.0 && br >= gz {
        Some(Coding::Brotli)
    } else if gz > 0.0 {
        Some(Coding::Gzip)
    } else {
        None
    }
}

/// `body` in `coding`, if that makes it smaller. `best`: the smallest (files compressed once);
/// otherwise the fastest (an answer compressed as it goes out).
pub fn encode(coding: Coding, body: &[u8], best: bool) -> Option<Vec<u8>> {
    match coding {
        Coding::Gzip => gzip(body, if best { 9 } else { 1 }),
        Coding::Brotli => {
            let mut out = Vec::with_capacity(body.len() / 4);
            {
                let mut w = brotli::CompressorWriter::new(&mut out, 4096, if best { 9 } else { 2 }, 22);
                w.write_all(body).ok()?;
            }
            (out.len() + 64 < body.len()).then_some(out)
        }
    }
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

/// The response, compressed when the request asked for it and it is text worth compressing.
pub async fn maybe(coding: Option<Coding>, method: &Method, mut resp: Response) -> Response {
    let Some(coding) = coding else { return resp };
    let compressible = method != Method::HEAD
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
    match (body.len() >= MIN_BYTES)
        .then(|| encode(coding, &body, false))
        .flatten()
    {
        Some(z) => {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding.name()));
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
    use std::io::Read;

    #[test]
    fn the_coding_the_client_weighs_most() {
        let with = |v: &str| negotiate(&Request::builder().header(header::ACCEPT_ENCODING, v).finish());
        assert_eq!(with("gzip, deflate, br"), Some(Coding::Brotli));
        assert_eq!(with("gzip, deflate"), Some(Coding::Gzip));
        assert_eq!(with("br;q=0.5, gzip;q=0.8"), Some(Coding::Gzip));
        assert_eq!(with("br;q=0, gzip"), Some(Coding::Gzip));
        assert_eq!(with("gzip;q=0"), None);
        assert_eq!(with("*"), Some(Coding::Brotli));
        assert_eq!(with("identity"), None);
        assert_eq!(negotiate(&Request::builder().finish()), None);
    }

    #[test]
    fn both_codings_round_trip() {
        let text = "{\"items\":[".to_string() + &"{\"name\":\"红色物业\"},".repeat(200) + "{}]}";
        let br = encode(Coding::Brotli, text.as_bytes(), false).unwrap();
        let mut back = Vec::new();
        brotli::Decompressor::new(&br[..], 4096).read_to_end(&mut back).unwrap();
        assert_eq!(back, text.as_bytes());
        let gz = encode(Coding::Gzip, text.as_bytes(), true).unwrap();
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut back).unwrap();
        assert_eq!(back, text.as_bytes());
        assert!(encode(Coding::Brotli, b"tiny", true).is_none());
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
