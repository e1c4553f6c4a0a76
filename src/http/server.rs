//! The HTTP server: our own accept loop over hyper's HTTP/1.1 connections, in front of the poem
//! app. poem's `Server` offers no header-read timeout, no connection limit and no hook for the
//! responses hyper writes by itself, and every one of those matters to a service that anyone may
//! connect to:
//! - a client that sends its request head slowly (or sits idle on a kept-alive connection) is
//!   cut off after `header_read_timeout`; a request that takes longer than `request_timeout`
//!   (a body trickling in, a handler stuck) gets a 503 problem;
//! - at most `max_connections` connections are served at once; one more gets a 503 problem and
//!   is closed, so file descriptors and memory stay bounded;
//! - a request head hyper refuses to parse (too many headers, too long, malformed) is answered
//!   by hyper with a bare status line; those answers are rewritten on the wire into RFC 9457
//!   problem+json like every other error (`ProblemHeads`).

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use hyper::body::{Body as _, Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use poem::endpoint::BoxEndpoint;
use poem::http::StatusCode;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Endpoint, Response};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};

use crate::domain::ids;
use crate::error::{codes, Code};
use crate::http::problem;

/// What one client may cost the server.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Connections served at once; one more is answered 503 and closed.
    pub max_connections: usize,
    /// Time to receive a whole request head, counted from when the server starts waiting for it
    /// (so also the longest a kept-alive connection may sit idle between requests).
    pub header_read_timeout: Duration,
    /// Time from a request's head to the end of its response's head (reading the body included).
    pub request_timeout: Duration,
    /// Largest request head (request line and headers) in bytes; more is 431.
    pub max_head_bytes: usize,
    /// Most header lines in a request; more is 431.
    pub max_headers: usize,
    /// Most bytes of a request body the server reads and discards after answering without
    /// reading it all (a 401 or 404 decided from the head), so that the connection stays usable
    /// for the next request. A larger rest, or one that does not arrive within the request's
    /// time, closes the connection instead, with `Connection: close` on the answer.
    pub max_drain_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 4096,
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_head_bytes: 64 * 1024,
            max_headers: 100,
            // The service sets this from its largest body (`Config::server_limits`).
            max_drain_bytes: 1024 * 1024,
        }
    }
}

type App = Arc<BoxEndpoint<'static, Response>>;
type HyperBody = http_body_util::combinators::BoxBody<hyper::body::Bytes, io::Error>;

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting, lets the requests
/// in flight finish (up to `grace`) and returns.
pub async fn run(
    listener: TcpListener,
    app: BoxEndpoint<'static, Response>,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) -> io::Result<()> {
    let app: App = Arc::new(app);
    let local = listener.local_addr()?;
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop_tx, stop_rx) = watch::channel(false);
    let limits = Arc::new(limits);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors or a connection reset before accept: wait a
                        // moment instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    tokio::spawn(refuse_busy(stream));
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let (app, limits, stop) = (app.clone(), limits.clone(), stop_rx.clone());
                tokio::spawn(async move {
                    serve_connection(stream, local, peer, app, &limits, stop).await;
                    drop(slot);
                });
            }
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection holds a slot: when all slots are back, every connection has finished.
    let all = limits.max_connections as u32;
    if tokio::time::timeout(grace, slots.acquire_many(all)).await.is_err() {
        tracing::warn!("connections still open after the grace period; closing them");
    }
    Ok(())
}

async fn serve_connection(
    stream: TcpStream,
    local: SocketAddr,
    peer: SocketAddr,
    app: App,
    limits: &Limits,
    mut stop: watch::Receiver<bool>,
) {
    let request_timeout = limits.request_timeout;
    let max_drain = limits.max_drain_bytes;
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let app = app.clone();
        async move {
            let started = tokio::time::Instant::now();
            // RFC 9112 §3.2: an HTTP/1.1 request carries exactly one Host header.
            if req.version() == poem::http::Version::HTTP_11
                && req.headers().get_all(poem::http::header::HOST).iter().count() != 1
            {
                let mut r = problem::simple(
                    codes::BAD_HOST,
                    "an HTTP/1.1 request must carry exactly one Host header",
                );
                if let Ok(v) = ids::new_id().parse() {
                    r.headers_mut().insert("x-request-id", v);
                }
                return Ok::<_, Infallible>(hyper::Response::<HyperBody>::from(r));
            }
            let declared = declared_length(req.headers());
            let expects_continue = req.headers().contains_key(poem::http::header::EXPECT);
            let mut req: poem::Request = (
                req,
                LocalAddr(Addr::SocketAddr(local)),
                RemoteAddr(Addr::SocketAddr(peer)),
                poem::http::uri::Scheme::HTTP,
            )
                .into();
            let body = SharedBody::new(req.take_body());
            req.set_body(poem::Body::from(HyperBody::new(body.clone())));
            let mut resp = match tokio::time::timeout(request_timeout, app.get_response(req)).await {
                Ok(r) => r,
                Err(_) => {
                    tracing::warn!(peer = %peer.ip(), "request timed out");
                    let mut r = problem::simple(
                        codes::REQUEST_TIMEOUT,
                        "the request took too long (a slow body, or the server is overloaded); retry",
                    );
                    r.headers_mut()
                        .insert(poem::http::header::CONNECTION, "close".parse().expect("a valid header"));
                    r
                }
            };
            // hyper closes a connection whose request body was not read to its end once the
            // answer is written, without saying so: the client's next request on it is lost.
            // Read the rest (bounded), or say `Connection: close` so the client knows.
            let rest_fits = declared.is_none_or(|n| n <= max_drain as u64);
            if !body.is_end()
                && (expects_continue || !rest_fits || !body.drain(max_drain, started + request_timeout).await)
            {
                resp.headers_mut().insert(
                    poem::http::header::CONNECTION,
                    poem::http::HeaderValue::from_static("close"),
                );
            }
            Ok::<_, Infallible>(hyper::Response::<HyperBody>::from(resp))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true)
        .max_buf_size(limits.max_head_bytes.max(8192))
        .max_header_size(limits.max_head_bytes)
        .max_headers(limits.max_headers);
    let conn = builder.serve_connection(TokioIo::new(ProblemHeads::new(stream)), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stopping(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// The request's `Content-Length`, when it has one that parses.
fn declared_length(headers: &poem::http::HeaderMap) -> Option<u64> {
    headers
        .get(poem::http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// A request body that the app reads while the connection keeps a handle on it, so that what
/// the app left unread can be drained after the answer. Only one side polls it at a time (the
/// app while it runs, then the drain), so the lock is never contended.
#[derive(Clone)]
struct SharedBody(Arc<std::sync::Mutex<HyperBody>>);

impl SharedBody {
    fn new(body: poem::Body) -> Self {
        SharedBody(Arc::new(std::sync::Mutex::new(body.into())))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HyperBody> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn is_end(&self) -> bool {
        hyper::body::Body::is_end_stream(&*self.lock())
    }

    /// Reads and discards the rest of the body: true when it ended within `max` bytes before
    /// `deadline`.
    async fn drain(&self, max: usize, deadline: tokio::time::Instant) -> bool {
        let read = async {
            let mut seen = 0usize;
            loop {
                let frame = std::future::poll_fn(|cx| Pin::new(&mut *self.lock()).poll_frame(cx)).await;
                match frame {
                    None => return true,
                    Some(Err(_)) => return false,
                    Some(Ok(frame)) => {
                        seen += frame.data_ref().map_or(0, |d| d.len());
                        if seen > max {
                            return false;
                        }
                    }
                }
            }
        };
        tokio::time::timeout_at(deadline, read).await.unwrap_or(false)
    }
}

impl hyper::body::Body for SharedBody {
    type Data = hyper::body::Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut *self.lock()).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.is_end()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.lock().size_hint()
    }
}

/// Resolves when the server starts to stop.
async fn stopping(stop: &mut watch::Receiver<bool>) {
    loop {
        if *stop.borrow_and_update() {
            return;
        }
        if stop.changed().await.is_err() {
            return;
        }
    }
}

/// Over the connection limit: a 503 problem, then close.
async fn refuse_busy(mut stream: TcpStream) {
    use tokio::io::AsyncWriteExt;
    let bytes = raw_problem(
        codes::TOO_MANY_CONNECTIONS,
        "the server is serving as many connections as it may; retry shortly",
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), stream.write_all(&bytes)).await;
    let _ = stream.shutdown().await;
}

/// A complete HTTP/1.1 problem+json response that closes the connection, as bytes.
fn raw_problem(code: Code, detail: &str) -> Vec<u8> {
    raw_problem_in(code, detail, false)
}

/// `raw_problem`, in Chinese when `zh` (the client's `Accept-Language` prefers it).
fn raw_problem_in(code: Code, detail: &str, zh: bool) -> Vec<u8> {
    let status = StatusCode::from_u16(code.status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = if zh {
        problem::body_zh(code, detail)
    } else {
        problem::body(code, detail)
    };
    let rid = ids::new_id();
    tracing::info!(request_id = %rid, status = status.as_u16(), code = code.name, "refused before routing");
    let mut out = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\nx-request-id: {rid}\r\nvary: Accept-Language\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        problem::PROBLEM_CONTENT_TYPE,
        body.len()
    );
    if zh {
        out.push_str("content-language: zh-CN\r\n");
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        out.push_str("retry-after: 1\r\n");
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// The status of a response head that hyper wrote by itself for a request it could not parse:
/// a 4xx head without the `x-request-id` that every response of the app carries.
fn bare_error_status(buf: &[u8]) -> Option<StatusCode> {
    if !(buf.starts_with(b"HTTP/1.1 4") || buf.starts_with(b"HTTP/1.0 4")) || buf.len() < 12 {
        return None;
    }
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    if head.contains("\r\nx-request-id:") || !head.contains("\r\ncontent-length: 0") {
        return None;
    }
    StatusCode::from_bytes(&buf[9..12]).ok()
}

/// `long_line`: whether the request line alone was too long (or had not ended) when hyper gave
/// up. hyper reports any head over its limit as 431, even when it is the URI that is too long.
fn parse_error_problem(status: StatusCode, long_line: bool, zh: bool) -> Vec<u8> {
    let status = match status {
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE if long_line => StatusCode::URI_TOO_LONG,
        s => s,
    };
    let (code, detail) = match status {
        StatusCode::URI_TOO_LONG => (codes::URI_TOO_LONG, "the request target is too long"),
        StatusCode::REQUEST_TIMEOUT => (codes::HEADER_TIMEOUT, "the request head did not arrive in time"),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (
            codes::HEADERS_TOO_LARGE,
            "the request has too many header lines, or its request line and headers are too long",
        ),
        _ => (codes::MALFORMED_REQUEST, "the request is not well-formed HTTP/1.1"),
    };
    raw_problem_in(code, detail, zh)
}

/// The connection's socket, with hyper's bare answers to unparsable requests replaced by
/// problem+json. Reports itself as not vectored, so hyper hands over each response whole.
struct ProblemHeads<S> {
    inner: S,
    /// A replacement being written: (bytes, written so far, length of hyper's buffer to claim).
    replacing: Option<(Vec<u8>, usize, usize)>,
    /// Bytes of the request line read since the last response was written, and whether it has
    /// ended.
    line_len: usize,
    line_complete: bool,
    /// The request head's `Accept-Language`, as far as it was read: a refusal of a head hyper
    /// cannot parse (431 above all) is written in the client's language too.
    language: HeadLanguage,
}

impl<S> ProblemHeads<S> {
    fn new(inner: S) -> Self {
        ProblemHeads {
            inner,
            replacing: None,
            line_len: 0,
            line_complete: false,
            language: HeadLanguage::default(),
        }
    }
}

/// Finds the `Accept-Language` value in the bytes of a request head as they arrive, a bounded
/// amount of work per byte of the head (the body is not looked at).
#[derive(Default)]
struct HeadLanguage {
    /// The last bytes seen, lower-cased, to spot `\naccept-language:` across reads.
    window: [u8; 17],
    /// The value being read (at most 256 bytes), once the name was seen.
    value: Option<Vec<u8>>,
    /// Whether the value read prefers Chinese.
    zh: bool,
    /// The head has ended (a blank line): nothing more to read until the next request.
    done: bool,
}

impl HeadLanguage {
    const NAME: &'static [u8; 17] = b"\naccept-language:";

    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.done {
                return;
            }
            if let Some(v) = &mut self.value {
                if b == b'\r' || b == b'\n' || v.len() >= 256 {
                    self.zh = crate::error::zh::prefers_chinese(&String::from_utf8_lossy(v));
                    self.value = None;
                } else {
                    v.push(b);
                }
            }
            self.window.rotate_left(1);
            self.window[16] = b.to_ascii_lowercase();
            if &self.window == Self::NAME {
                self.value = Some(Vec::new());
            }
            if self.window[13..] == *b"\r\n\r\n" {
                self.done = true;
            }
        }
    }

    /// Whether the refusal of the current head is to be in Chinese (a value cut short counts).
    fn zh(&self) -> bool {
        self.zh
            || self
                .value
                .as_ref()
                .is_some_and(|v| crate::error::zh::prefers_chinese(&String::from_utf8_lossy(v)))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ProblemHeads<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = ready!(Pin::new(&mut self.inner).poll_read(cx, buf));
        if !self.language.done {
            self.language.feed(&buf.filled()[before..]);
        }
        if !self.line_complete {
            let fresh = &buf.filled()[before..];
            match fresh.iter().position(|b| *b == b'\n') {
                Some(i) => {
                    self.line_len += i;
                    self.line_complete = true;
                }
                None => self.line_len += fresh.len(),
            }
        }
        Poll::Ready(result)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ProblemHeads<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.replacing.is_none() {
            if let Some(status) = bare_error_status(buf) {
                let long_line = !self.line_complete || self.line_len > crate::http::middleware::MAX_URI_BYTES;
                let bytes = parse_error_problem(status, long_line, self.language.zh());
                self.replacing = Some((bytes, 0, buf.len()));
            }
            // A response starts: the next request's line and head are yet to come.
            self.line_complete = false;
            self.line_len = 0;
            self.language = HeadLanguage::default();
        }
        let this = &mut *self;
        if let Some((bytes, written, claim)) = &mut this.replacing {
            while *written < bytes.len() {
                let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &bytes[*written..]))?;
                if n == 0 {
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                *written += n;
            }
            let claim = *claim;
            this.replacing = None;
            return Poll::Ready(Ok(claim));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyper_heads_are_told_from_ours() {
        let bare = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(
            bare_error_status(bare),
            Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        );
        let ours = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nx-request-id: abc\r\n\r\n";
        assert_eq!(bare_error_status(ours), None);
        let with_body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 12\r\n\r\n{\"a\":1}";
        assert_eq!(bare_error_status(with_body), None);
        assert_eq!(bare_error_status(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"), None);
        let p = String::from_utf8(parse_error_problem(StatusCode::URI_TOO_LONG, false, false)).unwrap();
        assert!(p.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{p}");
        assert!(
            p.contains("application/problem+json") && p.contains("\"code\":\"uri_too_long\""),
            "{p}"
        );
        let p = String::from_utf8(parse_error_problem(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            true,
            false,
        ))
        .unwrap();
        assert!(p.starts_with("HTTP/1.1 414 "), "{p}");
        let p = String::from_utf8(parse_error_problem(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            false,
            false,
        ))
        .unwrap();
        assert!(p.starts_with("HTTP/1.1 431 "), "{p}");
        let p = String::from_utf8(parse_error_problem(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            false,
            true,
        ))
        .unwrap();
        assert!(
            p.contains("content-language: zh-CN")
                && !p.contains("Too Large\"")
                && p.contains("\"code\":\"headers_too_large\""),
            "{p}"
        );
    }

    #[test]
    fn the_language_of_a_head_is_read_as_it_arrives() {
        let mut l = HeadLanguage::default();
        l.feed(b"GET / HTTP/1.1\r\nHost: a\r\nAccept-Lang");
        l.feed(b"uage: zh-CN,zh;q=0.9\r\nX-Big: ");
        assert!(l.zh());
        l.feed(b"a\r\n\r\nbody with\naccept-language: en\r\n");
        assert!(l.zh() && l.done, "the body is not read");
        let mut en = HeadLanguage::default();
        en.feed(b"GET / HTTP/1.1\r\naccept-language: en-US\r\n");
        assert!(!en.zh());
        let mut cut = HeadLanguage::default();
        cut.feed(b"GET / HTTP/1.1\r\naccept-language: zh");
        assert!(cut.zh(), "a head cut short in the value");
    }
}
