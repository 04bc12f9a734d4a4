"""What our own records say about an applicant: fraud counts over earlier
applications in the policy's windows, and the repayment record of their loans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select

from credit.behaviour import RepaymentRecord
from credit.fraud import FraudContext
from shop.models import (
    ApplicationStatus,
    CreditApplication,
    InstallmentKind,
    Loan,
    LoanStatus,
    User,
)
from shop.models.base import DbSession
from shop.services.ledger import open_principal_cents


@dataclass(frozen=True)
class RequestMeta:
    ip: str
    user_agent: str
    device_id: str | None


def fraud_context(s: DbSession, user: User, id_hash: str, meta: RequestMeta, policy, now: datetime) -> FraudContext:
    """Counts of earlier applications in the policy's windows."""
    since = now - timedelta(hours=policy.fraud_window_hours)
    declines_since = now - timedelta(days=policy.declines_window_days)

    def count(*where) -> int:
        return int(s.scalar(select(func.count(CreditApplication.id)).where(*where)) or 0)

    recent = CreditApplication.created_at >= since
    return FraudContext(
        account_applications=count(recent, CreditApplication.user_id == user.id),
        device_applications=count(recent, CreditApplication.device_id == meta.device_id) if meta.device_id else 0,
        ip_applications=count(recent, CreditApplication.ip_address == meta.ip),
        id_hash_applications=count(recent, CreditApplication.national_id_hash == id_hash),
        accounts_sharing_id_hash=len(
            set(s.scalars(select(CreditApplication.user_id).where(CreditApplication.national_id_hash == id_hash)))
            | {user.id}
        ),
        recent_declines=count(
            CreditApplication.created_at >= declines_since,
            CreditApplication.status == ApplicationStatus.DECLINED,
            or_(CreditApplication.user_id == user.id, CreditApplication.national_id_hash == id_hash),
        ),
    )


def repayment_record(s: DbSession, user: User, today: date) -> RepaymentRecord | None:
    """The shopper's own record with us (None for a new customer)."""
    loans = s.scalars(select(Loan).where(Loan.user_id == user.id)).all()
    if not loans:
        return None
    rows = [i for loan in loans for i in loan.installments if i.kind == InstallmentKind.INSTALLMENT]
    year_ago = today - timedelta(days=365)
    on_time = sum(1 for i in rows if i.is_paid and i.paid_at and i.paid_at.date() <= i.due_on)
    late = [
        i
        for i in rows
        if (i.is_paid and i.paid_at and i.paid_at.date() > i.due_on) or (not i.is_paid and i.due_on < today)
    ]
    overdue = [(today - i.due_on).days for i in rows if not i.is_paid and i.due_on < today]
    late_days = [
        ((i.paid_at.date() if i.is_paid and i.paid_at else today) - i.due_on).days for i in late if i.due_on >= year_ago
    ]

    open_loans = [loan for loan in loans if loan.status == LoanStatus.ACTIVE]
    monthly = sum(
        next((i.total_cents for i in loan.installments if i.kind == InstallmentKind.INSTALLMENT and not i.is_paid), 0)
        for loan in open_loans
    )
    return RepaymentRecord(
        on_time_payments=on_time,
        late_payments_12m=len([d for d in late_days if d > 0]),
        current_days_past_due=max(overdue, default=0),
        max_days_past_due_12m=max(late_days, default=0),
        charged_off_loans=sum(1 for loan in loans if loan.status == LoanStatus.CHARGED_OFF),
        outstanding_balance_cents=max(open_principal_cents(s, user.id), 0),
        monthly_installments_cents=monthly,
    )
