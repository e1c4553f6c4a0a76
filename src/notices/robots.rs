//! Work-group robots of offices (a community's, a committee's, the bureau's group): a WeCom group
//! robot (`msgtype: text`, answered `errcode: 0`) and a DingTalk custom robot with signing (the
//! request carries `timestamp` and `sign`, `domain::notice::dingtalk_sign`).

use crate::config::Webhooks as Retry;
use crate::db::notices::{Claimed, Outcome};
use crate::domain::notice::WorkGroupKind;
use crate::domain::webhook;
use chrono::NaiveDateTime;

/// The text a work group gets: the matter, its dates and where to act.
fn content(job: &Claimed) -> String {
    format!(
        "【红色物业】{}\n{}\n办理：{}",
        job.notice.title, job.notice.body, job.notice.link
    )
}

/// The robot's address for this post (DingTalk's carries a fresh signed timestamp).
pub fn address(kind: WorkGroupKind, url: &str, secret: Option<&str>, now_ms: i64) -> String {
    match (kind, secret) {
        (WorkGroupKind::Dingtalk, Some(secret)) => {
            let sign = crate::notices::aliyun::encode(&crate::domain::notice::dingtalk_sign(secret, now_ms));
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}timestamp={now_ms}&sign={sign}")
        }
        _ => url.to_string(),
    }
}

pub async fn post(job: &Claimed, retry: &Retry, now: NaiveDateTime) -> Outcome {
    let Some(group) = &job.group else {
        return Outcome::Failed {
            code: None,
            message: "the office has no work group any more".into(),
        };
    };
    let Some(kind) = WorkGroupKind::parse(&group.kind) else {
        return Outcome::Failed {
            code: None,
            message: "unknown kind of work group".into(),
        };
    };
    // The signature's timestamp is the real time: the robot compares it with its clock.
    let url = address(
        kind,
        &group.url,
        group.secret.as_deref(),
        chrono::Utc::now().timestamp_millis(),
    );
    let target = match webhook::parse_url(&url, retry.allow_local) {
        Ok(t) => t,
        Err(e) => {
            return Outcome::Failed {
                code: None,
                message: e.to_string(),
            }
        }
    };
    let body = serde_json::json!({ "msgtype": "text", "text": { "content": content(job) } }).to_string();
    let headers = [("content-type", "application/json".to_string())];
    let sent = tokio::time::timeout(
        retry.timeout,
        crate::webhooks::send(
            &target,
            &headers,
            body,
            retry.allow_local,
            crate::webhooks::MAX_ANSWER_BYTES,
        ),
    )
    .await;
    let again = |message: String| Outcome::Again {
        at: now,
        message,
        unsent: true,
    };
    match sent {
        Err(_) => again(format!("no answer within {} s", retry.timeout.as_secs())),
        Ok(Err(e)) => again(e),
        Ok(Ok((status, body))) if (200..300).contains(&status) => {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            match v.get("errcode").and_then(|c| c.as_i64()) {
                Some(0) => Outcome::Delivered { code: Some("0".into()) },
                Some(code) => Outcome::Failed {
                    code: Some(code.to_string()),
                    message: v
                        .get("errmsg")
                        .and_then(|m| m.as_str())
                        .unwrap_or("")
                        .chars()
                        .take(200)
                        .collect(),
                },
                None => again("the robot's answer has no errcode".into()),
            }
        }
        Ok(Ok((status, _))) => again(format!("the robot answered {status}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dingtalk_address_is_signed_and_wecom_as_given() {
        let a = address(
            WorkGroupKind::Dingtalk,
            "https://oapi.dingtalk.com/robot/send?access_token=t",
            Some("SEC1"),
            1000,
        );
        assert!(a.starts_with("https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1000&sign="));
        let sign = crate::notices::aliyun::encode(&crate::domain::notice::dingtalk_sign("SEC1", 1000));
        assert!(a.ends_with(&format!("&sign={sign}")));
        assert!(!sign.contains('+') && !sign.contains('/') && !sign.contains('='));
        let w = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k";
        assert_eq!(address(WorkGroupKind::Wecom, w, None, 1000), w);
    }
}
