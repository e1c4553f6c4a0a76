//! Alibaba Cloud SMS (阿里云短信服务), its documented RPC API: `SendSms` hands a text over with the
//! approved signature and template code and its parameters; `QuerySendDetails` reports what
//! became of it. Every request is signed as the provider documents it ("签名机制", signature
//! version 1.0): the parameters sorted and percent-encoded (RFC 3986, space as `%20`), the
//! string to sign `METHOD&%2F&encode(query)`, the signature base64 HMAC-SHA1 under
//! `AccessKeySecret&`.

use hmac::{Hmac, Mac};

use crate::config::AliyunSms;

/// The API version these actions belong to.
const VERSION: &str = "2017-05-25";

/// Percent-encodes as the provider's signature requires: everything but `A-Z a-z 0-9 - _ . ~`.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The sorted, encoded query of `params` (without the signature).
pub fn canonical(params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The signature of a request with `params` sent with `method`.
pub fn signature(secret: &str, method: &str, params: &[(String, String)]) -> String {
    use base64::Engine;
    let to_sign = format!("{method}&{}&{}", encode("/"), encode(&canonical(params)));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()).expect("any key length");
    mac.update(to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The common parameters of a request at `timestamp` (UTC, `YYYY-MM-DDThh:mm:ssZ`).
fn common(account: &AliyunSms, action: &str, timestamp: &str, nonce: &str) -> Vec<(String, String)> {
    [
        ("AccessKeyId", account.access_key_id.as_str()),
        ("Action", action),
        ("Format", "JSON"),
        ("RegionId", "cn-hangzhou"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", nonce),
        ("SignatureVersion", "1.0"),
        ("Timestamp", timestamp),
        ("Version", VERSION),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The form body of a signed request: the parameters and `Signature`.
pub fn signed_body(account: &AliyunSms, action: &str, extra: &[(&str, String)]) -> String {
    let timestamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let nonce = crate::domain::ids::new_id();
    let mut params = common(account, action, &timestamp, &nonce);
    params.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    let sig = signature(&account.access_key_secret, "POST", &params);
    format!("{}&Signature={}", canonical(&params), encode(&sig))
}

/// `SendSms` of one text: the number, the approved signature and template, its parameters, and
/// our id of the delivery as `OutId` (so that a send whose answer was lost can be found).
pub fn send_sms(account: &AliyunSms, phone: &str, params: &serde_json::Value, out_id: &str) -> String {
    signed_body(
        account,
        "SendSms",
        &[
            ("PhoneNumbers", phone.to_string()),
            ("SignName", account.sign_name.clone()),
            ("TemplateCode", account.template_code.clone()),
            ("TemplateParam", params.to_string()),
            ("OutId", out_id.to_string()),
        ],
    )
}

/// `QuerySendDetails` of the texts to one number on one day (`yyyyMMdd`, China Standard Time),
/// narrowed to one message when its id is known.
pub fn query(account: &AliyunSms, phone: &str, day: &str, biz_id: Option<&str>) -> String {
    let mut extra = vec![
        ("PhoneNumber", phone.to_string()),
        ("SendDate", day.to_string()),
        ("PageSize", "50".to_string()),
        ("CurrentPage", "1".to_string()),
    ];
    if let Some(b) = biz_id {
        extra.push(("BizId", b.to_string()));
    }
    signed_body(account, "QuerySendDetails", &extra)
}

/// What `SendSms` answered.
#[derive(Debug, PartialEq, Eq)]
pub enum SendAnswer {
    Ok {
        request_id: Option<String>,
        biz_id: Option<String>,
    },
    /// A refusal worth another try later (flow control).
    Busy {
        code: String,
        message: String,
    },
    Refused {
        code: String,
        message: String,
    },
}

fn field(v: &serde_json::Value, k: &str) -> Option<String> {
    v.get(k).and_then(|x| x.as_str()).map(String::from)
}

pub fn read_send(body: &[u8]) -> Result<SendAnswer, String> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("the provider's answer is not JSON: {e}"))?;
    let code = field(&v, "Code").unwrap_or_default();
    let message = field(&v, "Message").unwrap_or_default();
    Ok(match code.as_str() {
        "OK" => SendAnswer::Ok {
            request_id: field(&v, "RequestId"),
            biz_id: field(&v, "BizId"),
        },
        c if c.contains("LIMIT_CONTROL") || c.starts_with("Throttling") || c == "isp.SYSTEM_ERROR" => {
            SendAnswer::Busy { code, message }
        }
        _ => SendAnswer::Refused { code, message },
    })
}

/// What became of one text, from `QuerySendDetails` (`SendStatus` 1 waiting, 2 failed, 3 delivered).
#[derive(Debug, PartialEq, Eq)]
pub enum Receipt {
    /// No text with our id was found.
    NotFound,
    Waiting,
    Delivered {
        code: String,
    },
    Failed {
        code: String,
    },
}

pub fn read_receipt(body: &[u8], out_id: &str) -> Result<Receipt, String> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("the provider's answer is not JSON: {e}"))?;
    if field(&v, "Code").as_deref() != Some("OK") {
        return Err(format!(
            "the provider refused the query: {} {}",
            field(&v, "Code").unwrap_or_default(),
            field(&v, "Message").unwrap_or_default()
        ));
    }
    let list = v
        .pointer("/SmsSendDetailDTOs/SmsSendDetailDTO")
        .and_then(|x| x.as_array())
        .cloned()
        .unwrap_or_default();
    let Some(d) = list
        .iter()
        .find(|d| d.get("OutId").and_then(|x| x.as_str()) == Some(out_id))
    else {
        return Ok(Receipt::NotFound);
    };
    let code = field(d, "ErrCode").unwrap_or_default();
    Ok(match d.get("SendStatus").and_then(|x| x.as_i64()) {
        Some(3) => Receipt::Delivered { code },
        Some(2) => Receipt::Failed { code },
        _ => Receipt::Waiting,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_signs_alike() {
        // The example of the provider's "HTTP协议及签名" page: AccessKeySecret testSecret, GET.
        let p: Vec<(String, String)> = [
            ("AccessKeyId", "testId"),
            ("Action", "SendSms"),
            ("Format", "XML"),
            ("OutId", "123"),
            ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"),
            ("SignName", "阿里云短信测试专用"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", "SMS_71390007"),
            ("TemplateParam", "{\"customer\":\"test\"}"),
            ("Timestamp", "2017-07-12T02:42:19Z"),
            ("Version", "2017-05-25"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(signature("testSecret", "GET", &p), "zJDF+Lrzhj/ThnlvIToysFRq6t4=");
    }

    #[test]
    fn encoding_as_the_provider_wants() {
        assert_eq!(encode("a b*c~d/"), "a%20b%2Ac~d%2F");
        assert_eq!(encode("阿"), "%E9%98%BF");
    }

    #[test]
    fn answers_read() {
        assert_eq!(
            read_send(br#"{"Code":"OK","Message":"OK","RequestId":"r1","BizId":"b1"}"#).unwrap(),
            SendAnswer::Ok {
                request_id: Some("r1".into()),
                biz_id: Some("b1".into())
            }
        );
        assert!(matches!(
            read_send(br#"{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"x"}"#).unwrap(),
            SendAnswer::Busy { .. }
        ));
        assert!(matches!(
            read_send(br#"{"Code":"isv.MOBILE_NUMBER_ILLEGAL","Message":"x"}"#).unwrap(),
            SendAnswer::Refused { .. }
        ));
        let r = br#"{"Code":"OK","SmsSendDetailDTOs":{"SmsSendDetailDTO":[{"OutId":"d1","SendStatus":3,"ErrCode":"DELIVERED"}]}}"#;
        assert_eq!(
            read_receipt(r, "d1").unwrap(),
            Receipt::Delivered {
                code: "DELIVERED".into()
            }
        );
        assert_eq!(read_receipt(r, "d2").unwrap(), Receipt::NotFound);
    }
}
