//! Response bodies: whole, repeated (huge bodies without holding them), trickled.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

pub(crate) enum LabBody {
    Whole(Option<Bytes>),
    /// `chunk` sent again and again until `remaining` bytes went out.
    Repeat {
        chunk: Bytes,
        remaining: u64,
    },
    /// `data` one byte per `interval`.
    Trickle {
        data: Bytes,
        sent: usize,
        interval: Duration,
        timer: Pin<Box<Sleep>>,
    },
}

impl LabBody {
    pub(crate) fn whole(bytes: impl Into<Bytes>) -> LabBody {
        LabBody::Whole(Some(bytes.into()))
    }

    pub(crate) fn trickle(data: Bytes, interval: Duration) -> LabBody {
        LabBody::Trickle {
            data,
            sent: 0,
            interval,
            timer: Box::pin(tokio::time::sleep(interval)),
        }
    }
}

impl Body for LabBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            LabBody::Whole(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            LabBody::Repeat { chunk, remaining } => {
                if *remaining == 0 || chunk.is_empty() {
                    return Poll::Ready(None);
                }
                let take = usize::try_from(*remaining).map_or(chunk.len(), |r| r.min(chunk.len()));
                *remaining -= take as u64;
                Poll::Ready(Some(Ok(Frame::data(chunk.slice(..take)))))
            }
            LabBody::Trickle {
                data,
                sent,
                interval,
                timer,
            } => {
                if *sent >= data.len() {
                    return Poll::Ready(None);
                }
                if timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                let byte = data.slice(*sent..*sent + 1);
                *sent += 1;
                let next = Instant::now() + *interval;
                timer.as_mut().reset(next);
                Poll::Ready(Some(Ok(Frame::data(byte))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            LabBody::Whole(bytes) => bytes.is_none(),
            LabBody::Repeat { remaining, .. } => *remaining == 0,
            LabBody::Trickle { data, sent, .. } => *sent >= data.len(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            LabBody::Whole(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            LabBody::Repeat { remaining, .. } => SizeHint::with_exact(*remaining),
            LabBody::Trickle { data, sent, .. } => {
                SizeHint::with_exact(data.len().saturating_sub(*sent) as u64)
            }
        }
    }
}
