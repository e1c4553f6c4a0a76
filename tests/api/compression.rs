//! Compression of responses (issue 17): gzip where the client asks, text only; never a request
//! body decompressed.

use crate::both;
use crate::support::{As, TestApp};
use poem::http::Method;
use std::io::Read;

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, poem::http::HeaderMap, Vec<u8>) {
    let mut req = app.client.request(method, path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.0;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.into_body().into_vec().await.unwrap())
}

async fn text_is_sent_gzipped_when_asked(app: TestApp) {
    let (_, plain_h, plain) = raw(&app, Method::GET, "/openapi.json", &[]).await;
    assert!(plain_h.get("content-encoding").is_none());
    let (status, h, zipped) = raw(
        &app,
        Method::GET,
        "/openapi.json",
        &[("accept-encoding", "gzip, deflate")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(h.get("content-encoding").unwrap(), "gzip");
    assert!(h.get_all("vary").iter().any(|v| v == "Accept-Encoding"));
    assert!(zipped.len() * 5 < plain.len(), "{} vs {}", zipped.len(), plain.len());
    assert_eq!(gunzip(&zipped), plain);
    // Brotli where the client takes it (a browser over https), smaller still.
    let (_, h, br) = raw(
        &app,
        Method::GET,
        "/openapi.json",
        &[("accept-encoding", "gzip, deflate, br")],
    )
    .await;
    assert_eq!(h.get("content-encoding").unwrap(), "br");
    let mut back = Vec::new();
    brotli::Decompressor::new(&br[..], 4096).read_to_end(&mut back).unwrap();
    assert_eq!(back, plain);
    assert!(br.len() < zipped.len(), "{} vs {}", br.len(), zipped.len());
    let (_, h, _) = raw(
        &app,
        Method::GET,
        "/openapi.json",
        &[("accept-encoding", "br;q=0.1, gzip")],
    )
    .await;
    assert_eq!(h.get("content-encoding").unwrap(), "gzip");

    // An API list, signed in, and a problem: compressed too when large enough; small ones not.
    let admin = app.admin_token().await;
    let auth = format!("Bearer {admin}");
    let (_, h, body) = raw(
        &app,
        Method::GET,
        "/api/v1/rating-catalogue/default",
        &[("authorization", &auth), ("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(h.get("content-encoding").unwrap(), "gzip");
    let json: serde_json::Value = serde_json::from_slice(&gunzip(&body)).unwrap();
    assert!(json["indicators"].is_array());
    let (status, h, _) = raw(
        &app,
        Method::GET,
        "/api/v1/estates/nope",
        &[("authorization", &auth), ("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(status, 404);
    assert!(h.get("content-encoding").is_none(), "a small problem is sent as it is");
    // Refused with q=0, or not asked for: plain.
    let (_, h, _) = raw(&app, Method::GET, "/openapi.json", &[("accept-encoding", "gzip;q=0")]).await;
    assert!(h.get("content-encoding").is_none());
    // A file is sent as it is (a photo is compressed already).
    let photo = crate::fixtures::png("compress");
    let (ct, body) = crate::fixtures::multipart(&photo, "p.png");
    let id = app
        .raw(Method::POST, "/api/v1/attachments", As::Bearer(&admin), Some(&ct), body)
        .await
        .expect(201)
        .s("id");
    let (_, h, bytes) = raw(
        &app,
        Method::GET,
        &format!("/api/v1/attachments/{id}"),
        &[("authorization", &auth), ("accept-encoding", "gzip")],
    )
    .await;
    assert!(h.get("content-encoding").is_none());
    assert_eq!(bytes, photo);
}
both!(text_is_sent_gzipped_when_asked);

/// A request body that says it is gzipped is not unpacked: it is read as the bytes it is.
async fn a_compressed_request_body_is_not_unpacked(app: TestApp) {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut enc, &vec![b' '; 50 * 1024 * 1024]).unwrap();
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 100 * 1024);
    let resp = app
        .client
        .post("/api/v1/auth/login")
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(bomb)
        .send()
        .await
        .0;
    let status = resp.status().as_u16();
    assert!((400..500).contains(&status), "{status}");
}
both!(a_compressed_request_body_is_not_unpacked);
