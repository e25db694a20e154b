//! Security emails through SMTP, against a small SMTP server on a loopback port that records
//! what it is sent.

use server::notify::{Notifier, Origin, Recipient, SecurityEvent};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Accepts SMTP sessions and keeps each message's envelope and data.
async fn smtp_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let mut transcript = String::new();
                write.write_all(b"220 test ESMTP\r\n").await.unwrap();
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    transcript.push_str(&line);
                    transcript.push('\n');
                    let reply: &[u8] = if in_data {
                        if line == "." {
                            in_data = false;
                            b"250 queued\r\n"
                        } else {
                            continue;
                        }
                    } else {
                        let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
                        match verb.as_str() {
                            "EHLO" | "HELO" => b"250 test\r\n",
                            "DATA" => {
                                in_data = true;
                                b"354 go on\r\n"
                            }
                            "QUIT" => {
                                write.write_all(b"221 bye\r\n").await.ok();
                                break;
                            }
                            _ => b"250 ok\r\n",
                        }
                    };
                    write.write_all(reply).await.unwrap();
                }
                store.lock().unwrap().push(transcript);
            });
        }
    });
    (port, received)
}

#[tokio::test]
async fn a_security_email_goes_out_through_smtp_with_nothing_secret_in_it() {
    let (port, received) = smtp_server().await;
    let notifier = Notifier::from_setting(
        &format!("smtp://127.0.0.1:{port}"),
        "Keyport <keyport@example.com>",
        None,
    )
    .unwrap();
    let to = Recipient {
        user_id: "00u1nora".into(),
        email: "nora@example.com".into(),
        display_name: "Nora Nofactors".into(),
    };
    let origin = Origin {
        client_ip: Some("203.0.113.7".into()),
        user_agent: Some("Firefox".into()),
    };
    notifier
        .notify(&to, &SecurityEvent::PasswordChanged, &origin)
        .await;
    // The pool keeps the connection open; dropping it says QUIT, which ends the transcript.
    drop(notifier);
    let mut transcript = String::new();
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if let Some(t) = received.lock().unwrap().first() {
            transcript = t.clone();
            break;
        }
    }
    assert!(
        transcript.contains("MAIL FROM:<keyport@example.com>"),
        "{transcript}"
    );
    assert!(
        transcript.contains("RCPT TO:<nora@example.com>"),
        "{transcript}"
    );
    assert!(
        transcript.contains("Subject: Your password was changed"),
        "{transcript}"
    );
    assert!(transcript.contains("203.0.113.7"), "{transcript}");
    assert!(
        !transcript.to_lowercase().contains("http"),
        "no links: {transcript}"
    );
}
