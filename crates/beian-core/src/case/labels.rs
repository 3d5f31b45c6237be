//! Chinese and English names of case kinds and states, for titles, tables and messages.

use super::{CaseKind, CaseState};

impl CaseKind {
    /// The operation's usual Chinese name, as the consoles and the 管局 call it.
    pub fn label_zh(self) -> &'static str {
        match self {
            CaseKind::IcpNew => "ICP首次备案",
            CaseKind::IcpAddWebsite => "新增网站备案",
            CaseKind::IcpAddAccess => "新增接入备案",
            CaseKind::IcpChangeSubject => "变更主体备案",
            CaseKind::IcpChangeWebsite => "变更网站备案",
            CaseKind::IcpCancelSubject => "注销主体备案",
            CaseKind::IcpCancelWebsite => "注销网站备案",
            CaseKind::IcpCancelAccess => "取消接入",
            CaseKind::PsbNew => "公安联网备案",
            CaseKind::PsbChange => "变更公安联网备案",
            CaseKind::PsbCancel => "注销公安联网备案",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CaseKind::IcpNew => "ICP new filing",
            CaseKind::IcpAddWebsite => "ICP add website",
            CaseKind::IcpAddAccess => "ICP add access",
            CaseKind::IcpChangeSubject => "ICP change subject",
            CaseKind::IcpChangeWebsite => "ICP change website",
            CaseKind::IcpCancelSubject => "ICP cancel subject",
            CaseKind::IcpCancelWebsite => "ICP cancel website",
            CaseKind::IcpCancelAccess => "ICP cancel access",
            CaseKind::PsbNew => "PSB new filing",
            CaseKind::PsbChange => "PSB change",
            CaseKind::PsbCancel => "PSB cancellation",
        }
    }

    /// Whether the case ends a filing (or an access record) rather than creating or
    /// changing one.
    pub fn is_cancellation(self) -> bool {
        matches!(
            self,
            CaseKind::IcpCancelSubject
                | CaseKind::IcpCancelWebsite
                | CaseKind::IcpCancelAccess
                | CaseKind::PsbCancel
        )
    }
}

impl CaseState {
    pub fn label_zh(self) -> &'static str {
        match self {
            CaseState::Draft => "草稿",
            CaseState::Preparing => "准备材料",
            CaseState::SubmittedToProvider => "已提交接入商",
            CaseState::ProviderReview => "接入商初审",
            CaseState::SmsVerification => "工信部短信核验",
            CaseState::AuthorityReview => "管局审核",
            CaseState::Approved => "审核通过",
            CaseState::Rejected => "已驳回",
            CaseState::Closed => "已关闭",
            CaseState::Withdrawn => "已撤回",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CaseState::Draft => "draft",
            CaseState::Preparing => "preparing",
            CaseState::SubmittedToProvider => "submitted to provider",
            CaseState::ProviderReview => "provider review",
            CaseState::SmsVerification => "SMS verification",
            CaseState::AuthorityReview => "authority review",
            CaseState::Approved => "approved",
            CaseState::Rejected => "rejected",
            CaseState::Closed => "closed",
            CaseState::Withdrawn => "withdrawn",
        }
    }
}

impl std::fmt::Display for CaseKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for CaseState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
