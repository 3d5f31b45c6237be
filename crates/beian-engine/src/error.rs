//! Why a scan could not run or stopped. Remote parties' misbehaviour is never an error here:
//! it is evidence. What stops a scan is local: the configuration, the database.

use beian_core::model::RecordId;
use beian_probe::ProbeSetupError;
use beian_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("无法准备探测 / cannot set up the probes: {0}")]
    Probes(#[from] ProbeSetupError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "网站 {0} 不在清单中 / website {0} is not in the inventory; list the sites with `beian site list`"
    )]
    UnknownSite(RecordId),
    /// A site task ended abnormally (a bug: probes and detectors never panic by design).
    #[error("扫描任务异常结束 / a scan task ended abnormally: {0}; please report it")]
    Task(String),
}
