//! Kept-alive connections: every answer leaves the connection usable for the next request, or
//! says `Connection: close` and closes it. Clients do not retry a POST by themselves, so a
//! connection closed under a request that was never looked at is a lost request.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::both;
use crate::support::{RawResponse, TestApp};

/// One kept-alive client connection that reads responses one after another.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(addr: std::net::SocketAddr) -> Conn {
        Conn {
            stream: TcpStream::connect(addr).await.unwrap(),
            buf: Vec::new(),
        }
    }

    /// The next response, or `None` when the connection was closed before one came.
    async fn next(&mut self) -> Option<RawResponse> {
        let read = async {
            let mut chunk = [0u8; 16 * 1024];
            loop {
                if let Some(r) = RawResponse::parse(&self.buf) {
                    let end = self.buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4 + r.body.len();
                    self.buf.drain(..end);
                    return Some(r);
                }
                match self.stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => return None,
                    Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(10), read)
            .await
            .expect("an answer or a close within 10 s")
    }
}

/// Requests the server refuses from their head alone, each with a body it never needs to read.
fn refused(i: usize, body: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let target = match i % 3 {
        0 => "/api/v1/estates",              // 401: no credentials
        1 => "/api/v1/no-such-thing",        // 404: no route
        _ => "/api/v1/orgs/x/figures?bad=1", // 405 or 401: wrong method for the route
    };
    let head = format!(
        "POST {target} HTTP/1.1\r\nhost: a\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    (head.into_bytes(), body.to_vec())
}

async fn a_refused_post_leaves_the_connection_usable(app: TestApp) {
    let server = app.listen().await;
    let mut conn = Conn::open(server.addr).await;
    let (mut lost, mut closed_cleanly) = (0, 0);
    for i in 0..1500 {
        // Bodies of 2 KB mostly, and now and then one larger than a socket buffer.
        let body = vec![b'x'; if i % 50 == 49 { 200 * 1024 } else { 2048 }];
        let (head, body) = refused(i, &body);
        // The head first, the body a moment later: the server answers from the head.
        conn.stream.write_all(&head).await.unwrap();
        if i % 2 == 0 {
            tokio::task::yield_now().await;
        }
        if conn.stream.write_all(&body).await.is_err() {
            lost += 1;
            conn = Conn::open(server.addr).await;
            continue;
        }
        let refusal = conn.next().await.expect("the refused POST is answered");
        assert!(refusal.status >= 400, "{refusal:?}");
        if refusal.header("connection") == Some("close") {
            // Allowed, if said: the client knows to open a new connection.
            closed_cleanly += 1;
            conn = Conn::open(server.addr).await;
        }
        conn.stream
            .write_all(b"GET /readyz HTTP/1.1\r\nhost: a\r\n\r\n")
            .await
            .unwrap();
        match conn.next().await {
            Some(r) => assert_eq!(r.status, 200, "{r:?}"),
            None => {
                lost += 1;
                conn = Conn::open(server.addr).await;
            }
        }
    }
    assert_eq!(lost, 0, "requests lost on kept-alive connections");
    // Bodies within the limit are drained, not answered by closing.
    assert_eq!(closed_cleanly, 0);

    // A declared body beyond anything the server takes is not read: the answer says close.
    let mut conn = Conn::open(server.addr).await;
    conn.stream
        .write_all(
            b"POST /api/v1/estates HTTP/1.1\r\nhost: a\r\ncontent-type: application/json\r\ncontent-length: 999999999\r\n\r\n{}",
        )
        .await
        .unwrap();
    let r = conn.next().await.expect("an answer");
    assert_eq!(r.status, 401);
    assert_eq!(r.header("connection"), Some("close"));
    assert!(conn.next().await.is_none(), "then the connection is closed");
}
both!(a_refused_post_leaves_the_connection_usable);
