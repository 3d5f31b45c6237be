//! Listening sockets and the shutdown signal every server task watches.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::LabError;

/// Resolves when the lab shuts down (or is dropped).
#[derive(Clone)]
pub(crate) struct ShutdownSignal(watch::Receiver<bool>);

impl ShutdownSignal {
    pub(crate) fn new(receiver: watch::Receiver<bool>) -> ShutdownSignal {
        ShutdownSignal(receiver)
    }

    pub(crate) async fn wait(mut self) {
        loop {
            if *self.0.borrow_and_update() {
                return;
            }
            // The sender is gone: the lab was dropped.
            if self.0.changed().await.is_err() {
                return;
            }
        }
    }
}

const BIND_ATTEMPTS: usize = 8;

fn bind_error(what: &str, address: String) -> impl FnOnce(io::Error) -> LabError {
    let what = what.to_owned();
    move |source| LabError::Bind {
        what,
        address,
        source,
    }
}

/// TCP listeners on every address, all on one port (chosen by the OS for the first address;
/// retried when another process holds it on a later address).
pub(crate) async fn bind_same_port(
    what: &str,
    ips: &[Ipv4Addr],
) -> Result<Vec<TcpListener>, LabError> {
    let Some((&first_ip, rest)) = ips.split_first() else {
        return Ok(Vec::new());
    };
    let mut last_error = None;
    'attempt: for _ in 0..BIND_ATTEMPTS {
        let first = TcpListener::bind((first_ip, 0))
            .await
            .map_err(bind_error(what, format!("{first_ip}:0")))?;
        let port = first
            .local_addr()
            .map_err(bind_error(what, format!("{first_ip}:0")))?
            .port();
        let mut listeners = vec![first];
        for &ip in rest {
            match TcpListener::bind((ip, port)).await {
                Ok(listener) => listeners.push(listener),
                Err(error) if error.kind() == io::ErrorKind::AddrInUse => {
                    last_error = Some((format!("{ip}:{port}"), error));
                    continue 'attempt;
                }
                Err(error) => return Err(bind_error(what, format!("{ip}:{port}"))(error)),
            }
        }
        return Ok(listeners);
    }
    let (address, source) = last_error.unwrap_or_else(|| {
        (
            format!("{first_ip}:0"),
            io::Error::from(io::ErrorKind::AddrInUse),
        )
    });
    Err(LabError::Bind {
        what: what.to_owned(),
        address,
        source,
    })
}

/// A UDP socket and a TCP listener on the same 127.0.0.1 port (DNS).
pub(crate) async fn bind_udp_and_tcp(what: &str) -> Result<(UdpSocket, TcpListener), LabError> {
    let mut last_error = None;
    for _ in 0..BIND_ATTEMPTS {
        let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(bind_error(what, "127.0.0.1:0 (udp)".to_owned()))?;
        let port = udp
            .local_addr()
            .map_err(bind_error(what, "127.0.0.1:0 (udp)".to_owned()))?
            .port();
        match TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(error) if error.kind() == io::ErrorKind::AddrInUse => {
                last_error = Some((format!("127.0.0.1:{port} (tcp)"), error));
            }
            Err(error) => return Err(bind_error(what, format!("127.0.0.1:{port} (tcp)"))(error)),
        }
    }
    let (address, source) = last_error.unwrap_or_else(|| {
        (
            "127.0.0.1:0".to_owned(),
            io::Error::from(io::ErrorKind::AddrInUse),
        )
    });
    Err(LabError::Bind {
        what: what.to_owned(),
        address,
        source,
    })
}

pub(crate) async fn bind_one(what: &str) -> Result<TcpListener, LabError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(bind_error(what, "127.0.0.1:0".to_owned()))
}

/// Accepts connections until shutdown; each connection runs in its own task, also ended by
/// shutdown (so a hostile handler that never finishes still stops with the lab).
pub(crate) fn spawn_accept_loop<F, Fut>(
    listener: TcpListener,
    shutdown: ShutdownSignal,
    handler: F,
) -> JoinHandle<()>
where
    F: Fn(TcpStream, SocketAddr) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                () = shutdown.clone().wait() => break,
                accepted = listener.accept() => accepted,
            };
            match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let connection = handler(stream, peer);
                    let stop = shutdown.clone();
                    tokio::spawn(async move {
                        tokio::select! {
                            () = stop.wait() => {}
                            () = connection => {}
                        }
                    });
                }
                // Out of file descriptors or a reset before accept: back off, keep serving.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    })
}
