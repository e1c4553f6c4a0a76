//! Webhooks (issue 17): which events an integrator can subscribe to, whose they are, how a
//! delivery is signed, when a failed one is tried again, and which addresses may receive them.

use std::net::IpAddr;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::reason;
use crate::term_enum;

use super::lifecycle::Refused;

term_enum!(
    /// What happened. Each event goes to the endpoints of the company it concerns and of the
    /// county it happened in, that subscribed to its type.
    WebhookEvent, "an event an integrator can subscribe to (事件类型)", {
        /// A ledger item was dispatched to the company (or a department) to handle.
        LedgerItemDispatched = "ledger_item.dispatched", "问题派单";
        /// The company was invited to a meeting.
        MeetingInvitation = "meeting.invitation", "会议邀请";
        /// The minutes of a meeting the company was invited to were published.
        MinutesPublished = "minutes.published", "会议纪要发布";
        /// An action item the company is responsible for is due today and not done.
        ActionItemDue = "action_item.due", "督办事项到期";
        /// A vote of an estate the company serves opened.
        VoteOpened = "vote.opened", "表决开始";
        /// A vote of an estate the company serves closed (at its closing time).
        VoteClosed = "vote.closed", "表决结束";
        /// A rating campaign's results were published (each company hears of its own).
        RatingPublished = "rating.published", "星级评定结果公布";
        /// An appeal against a rating was decided.
        AppealDecided = "rating_appeal.decided", "评定申诉处理结果";
        /// A service contract of the company was recorded or changed.
        ContractChanged = "contract.changed", "服务合同变更";
        /// A statement of an estate's accounts was published (a correction too: its version is above 1).
        StatementPublished = "statement.published", "账目公示";
        /// An owner asked a question on a statement of an estate the company serves.
        QuestionAsked = "statement_question.asked", "业主询问账目";
        /// The company answered an owner's question on a statement.
        QuestionAnswered = "statement_question.answered", "账目询问已答复";
        /// A use of an estate's maintenance fund was proposed, decided, refused, withdrawn or settled.
        FundUseChanged = "fund_use.changed", "维修资金使用事项变化";
        /// A test event asked for on one endpoint (`POST /webhooks/{id}/test`): sent to it alone.
        Test = "webhook.test", "测试事件";
    }
);

term_enum!(
    /// Whose endpoint it is: it receives the events that concern this company, or that happen
    /// in this county.
    WebhookOwner, "whose webhook endpoint (订阅方)", {
        /// A property company (its own people or its API keys).
        Company = "company", "物业服务企业";
        /// A county (its housing bureau).
        County = "county", "县(区)";
    }
);

term_enum!(
    /// Where one delivery stands.
    WebhookDeliveryStatus, "a webhook delivery's status (推送状态)", {
        /// Waiting for its first or next attempt.
        Pending = "pending", "待推送";
        /// The receiver answered 2xx.
        Delivered = "delivered", "已送达";
        /// Every attempt failed; it can be replayed.
        Failed = "failed", "推送失败";
    }
);

/// The longest wait between two attempts.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(6 * 3600);

/// How long to wait after the `attempts`-th failed attempt: `base` doubled for each attempt
/// after the first, at most `MAX_RETRY_DELAY` (with the default base of a minute and twelve
/// attempts, the last is made about a day after the first).
pub fn retry_delay(attempts: u32, base: Duration) -> Duration {
    let doublings = attempts.saturating_sub(1).min(30);
    base.saturating_mul(1u32 << doublings).min(MAX_RETRY_DELAY)
}

/// The `Redprop-Signature` header of a delivery sent at `timestamp` (Unix seconds): `t=` the
/// timestamp and one `v1=` per valid secret (two during a rotation's overlap), each the hex
/// HMAC-SHA256 of `"{timestamp}.{body}"`. A receiver recomputes it with its secret, compares in
/// constant time, and refuses a timestamp far from its clock (a replayed request).
pub fn signature_header(secrets: &[&str], timestamp: i64, body: &[u8]) -> String {
    let mut out = format!("t={timestamp}");
    for secret in secrets {
        out.push_str(",v1=");
        out.push_str(&sign(secret, timestamp, body));
    }
    out
}

/// One signature: hex HMAC-SHA256 of `"{timestamp}.{body}"` under `secret`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// A receiving address, taken apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    /// The host as written (a name, an IPv4 address, or an IPv6 address without brackets).
    pub host: String,
    pub port: u16,
    /// The path and query, at least `/`.
    pub path: String,
}

impl Target {
    /// The `Host` header's value.
    pub fn authority(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == if self.https { 443 } else { 80 } {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// The longest receiving address taken.
pub const MAX_URL_LEN: usize = 2000;

/// Checks a receiving address: `https://host[:port]/path`, no user name or password, no
/// fragment. With `allow_local` (development and tests only), `http://` and loopback or private
/// addresses are taken too; otherwise a literal address must be a public one (a name is checked
/// again, resolved, at each delivery: `is_public`).
pub fn parse_url(url: &str, allow_local: bool) -> Result<Target, Refused> {
    let bad = |message: &str| Refused::field("url", reason::FORMAT, message.to_string());
    if url.len() > MAX_URL_LEN {
        return Err(Refused::field(
            "url",
            reason::LENGTH,
            format!("at most {MAX_URL_LEN} characters"),
        ));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("an address has no spaces or control characters"));
    }
    let (https, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err(bad("an address starts with https://"));
    };
    if !https && !allow_local {
        return Err(Refused::field(
            "url",
            reason::NOT_ALLOWED,
            "deliveries are sent only over https",
        ));
    }
    if rest.contains('#') {
        return Err(bad("an address has no fragment (#...)"));
    }
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], rest[i..].to_string()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_string()),
    };
    if authority.contains('@') {
        return Err(bad("an address carries no user name or password"));
    }
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let Some((h, after)) = inner.split_once(']') else {
            return Err(bad("an IPv6 address is closed with ]"));
        };
        (h, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = match port {
        None => {
            if https {
                443
            } else {
                80
            }
        }
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => return Err(bad("the port is a number from 1 to 65535")),
        },
    };
    let mut host = host.to_ascii_lowercase();
    // A host that ends in a number is an IPv4 address in any of the notations browsers and
    // resolvers accept (`2130706433`, `0x7f.1`, `017700000001`, `127.1`): read it as one, and
    // keep it in dotted form, so that no notation slips a private address past the check.
    if ends_in_number(&host) {
        match whatwg_ipv4(&host) {
            Some(v4) => host = v4.to_string(),
            None => return Err(bad("the host is not a valid name or address")),
        }
    }
    let name_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .split('.')
            .all(|l| !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    let ip = host.parse::<IpAddr>().ok();
    if ip.is_none() && !name_ok {
        return Err(bad("the host is not a valid name or address"));
    }
    if !allow_local {
        let local_name = host == "localhost" || host.ends_with(".localhost") || host.ends_with(".local");
        if local_name || ip.is_some_and(|ip| !is_public(ip)) {
            return Err(Refused::field(
                "url",
                reason::NOT_ALLOWED,
                "deliveries go only to public addresses, not to loopback, private or link-local ones",
            ));
        }
    }
    Ok(Target {
        https,
        host,
        port,
        path,
    })
}

/// Whether the last label of a host (a trailing dot aside) is a number, decimal or `0x` hex: the
/// WHATWG URL Standard's test for a host to be read as an IPv4 address.
fn ends_in_number(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    let last = host.rsplit('.').next().unwrap_or("");
    !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || last
                .strip_prefix("0x")
                .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())))
}

/// The WHATWG URL Standard's IPv4 parser (as browsers and `inet_aton` read a host): one to four
/// parts, each decimal, octal (a leading 0) or hex (0x); the last fills the bytes left.
fn whatwg_ipv4(host: &str) -> Option<std::net::Ipv4Addr> {
    let host = host.strip_suffix('.').unwrap_or(host);
    let parts: Vec<&str> = host.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let number = |p: &str| -> Option<u64> {
        let (digits, radix) = if let Some(h) = p.strip_prefix("0x") {
            (h, 16)
        } else if p.len() > 1 && p.starts_with('0') {
            (&p[1..], 8)
        } else {
            (p, 10)
        };
        if digits.is_empty() {
            return (radix != 10).then_some(0);
        }
        if digits.len() > 32 {
            return None;
        }
        u64::from_str_radix(digits, radix).ok()
    };
    let numbers: Vec<u64> = parts.iter().map(|p| number(p)).collect::<Option<_>>()?;
    let (last, init) = numbers.split_last()?;
    if init.iter().any(|n| *n > 255) || *last >= 256u64.pow(5 - numbers.len() as u32) {
        return None;
    }
    let value = init
        .iter()
        .enumerate()
        .fold(*last, |acc, (i, n)| acc + n * 256u64.pow(3 - i as u32));
    Some(std::net::Ipv4Addr::from(u32::try_from(value).ok()?))
}

/// Whether an address is one on the public internet: not loopback, private, link-local,
/// shared (carrier-grade NAT), documentation, multicast or unspecified — so that a registered
/// endpoint cannot make the server call into its own network (the database, a metadata service).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let seg = v6.segments();
            let first = seg[0];
            // Addresses that carry an IPv4 address inside: the deprecated IPv4-compatible ::/96,
            // NAT64's 64:ff9b::/96 and 6to4's 2002::/16 reach that IPv4 address; Teredo
            // (2001::/32) tunnels anywhere.
            let embedded = |hi: u16, lo: u16| std::net::Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
            if seg[..6] == [0; 6] && !v6.is_loopback() && !v6.is_unspecified() {
                return false;
            }
            if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                return is_public(IpAddr::V4(embedded(seg[6], seg[7])));
            }
            if first == 0x2002 {
                return is_public(IpAddr::V4(embedded(seg[1], seg[2])));
            }
            if first == 0x2001 && seg[1] == 0 {
                return false;
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_up_to_the_cap() {
        let base = Duration::from_secs(60);
        assert_eq!(retry_delay(1, base), Duration::from_secs(60));
        assert_eq!(retry_delay(2, base), Duration::from_secs(120));
        assert_eq!(retry_delay(9, base), Duration::from_secs(60 * 256));
        assert_eq!(retry_delay(10, base), MAX_RETRY_DELAY);
        assert_eq!(retry_delay(u32::MAX, base), MAX_RETRY_DELAY);
    }

    #[test]
    fn a_signature_is_the_hmac_of_timestamp_dot_body() {
        // Known answer: HMAC-SHA256("whsec_test", "1700000000.{}").
        let s = sign("whsec_test", 1_700_000_000, b"{}");
        assert_eq!(s.len(), 64);
        assert_ne!(s, sign("whsec_test", 1_700_000_001, b"{}"));
        assert_ne!(s, sign("whsec_other", 1_700_000_000, b"{}"));
        assert_eq!(
            signature_header(&["a", "b"], 5, b"x"),
            format!("t=5,v1={},v1={}", sign("a", 5, b"x"), sign("b", 5, b"x"))
        );
    }

    #[test]
    fn addresses_are_public_https_unless_local_is_allowed() {
        let t = parse_url("https://hooks.example.com/redprop?x=1", false).unwrap();
        assert_eq!(
            (t.https, t.host.as_str(), t.port, t.path.as_str()),
            (true, "hooks.example.com", 443, "/redprop?x=1")
        );
        assert_eq!(
            parse_url("https://a.example.com:8443", false).unwrap().authority(),
            "a.example.com:8443"
        );
        assert_eq!(parse_url("https://a.example.com?q", false).unwrap().path, "/?q");
        for bad in [
            "http://hooks.example.com/",
            "https://127.0.0.1/",
            "https://10.1.2.3/",
            "https://169.254.169.254/latest",
            "https://[::1]:8080/",
            "https://[::ffff:192.168.1.1]/",
            "https://localhost/",
            "https://user:pw@example.com/",
            "https://example.com/#frag",
            "ftp://example.com/",
            "https://exa mple.com/",
            "https://example.com:0/",
            "https://example.com:70000/",
            "https:///path",
            // IPv4 in the other notations browsers and resolvers read.
            "https://2130706433/",
            "https://0x7f.1/",
            "https://0x7f000001/",
            "https://017700000001/",
            "https://127.1/",
            "https://0177.0.0.1/",
            "https://10.0x0.1/",
            "https://192.168.257/",
            "https://0xc0.0xa8.1.1/",
            "https://167772161/",
            // Not an address at all.
            "https://1.2.3.4.5/",
            "https://256.1.1.1/",
            "https://0x/",
            // IPv6 forms that carry a private IPv4 address.
            "https://[::127.0.0.1]/",
            "https://[64:ff9b::a00:1]/",
            "https://[2002:7f00:1::]/",
            "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
        ] {
            assert!(parse_url(bad, false).is_err(), "{bad}");
        }
        let local = parse_url("http://127.0.0.1:9000/hook", true).unwrap();
        assert_eq!(
            (local.https, local.port, local.authority()),
            (false, 9000, "127.0.0.1:9000".to_string())
        );
        assert_eq!(
            parse_url("https://[2001:db9::1]:444/", false).unwrap().authority(),
            "[2001:db9::1]:444"
        );
    }

    #[test]
    fn ipv4_in_every_notation() {
        let v4 = |h: &str| whatwg_ipv4(h).map(|a| a.to_string());
        for (host, want) in [
            ("2130706433", "127.0.0.1"),
            ("0x7f.1", "127.0.0.1"),
            ("0x7f000001", "127.0.0.1"),
            ("017700000001", "127.0.0.1"),
            ("127.1", "127.0.0.1"),
            ("127.0.1", "127.0.0.1"),
            ("8.8.8.8", "8.8.8.8"),
            ("8.8.8.8.", "8.8.8.8"),
            ("0x08.010.0.8", "8.8.0.8"),
            ("4294967295", "255.255.255.255"),
        ] {
            assert_eq!(v4(host).as_deref(), Some(want), "{host}");
        }
        for host in [
            "4294967296",
            "1.2.3.256",
            "256.1.1.1",
            "1.2.65536",
            "1.2.3.4.5",
            "09",
            "0x1g",
            "",
        ] {
            assert_eq!(v4(host), None, "{host}");
        }
        assert!(ends_in_number("a.b.0x10") && ends_in_number("1.2.3.4.") && !ends_in_number("example.com"));
        // A public address in another notation is taken, in dotted form.
        assert_eq!(parse_url("https://134744072/", false).unwrap().host, "8.8.8.8");
        assert!(parse_url("https://example.123/", false).is_err());
    }

    #[test]
    fn public_addresses() {
        for ip in ["8.8.8.8", "1.1.1.1", "2606:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.0.1",
            "192.168.0.1",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:10.0.0.1",
            "240.0.0.1",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "2002:c0a8:101::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
    }
}
