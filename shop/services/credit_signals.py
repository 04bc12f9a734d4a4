"""Behaviour signals back into the credit line, each with a reason the shopper
sees: available credit is frozen while a loan is past due and thawed once all
are current; the line is raised after N months without a day past due."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, cast, func, insert, literal, null, select, update

from credit.delinquency import ServicingPolicy, raised_line_cents
from credit.schedule import add_months
from shop.models import CreditAccount, CreditLineEvent, Loan, LoanServicing, LoanStatus, utcnow
from shop.models.base import DbSession
from shop.services import notices
from shop.services.daily_run import StepResult


def is_frozen(s: DbSession, user_id: int) -> bool:
    """Available credit is frozen while any of the shopper's active loans is past due."""
    return bool(
        s.scalar(
            select(func.count(LoanServicing.loan_id))
            .join(Loan, Loan.id == LoanServicing.loan_id)
            .where(LoanServicing.user_id == user_id, LoanServicing.dpd > 0, Loan.status == LoanStatus.ACTIVE)
        )
    )


def _last_kind(s: DbSession, user_id: int, kinds: tuple[str, ...]) -> CreditLineEvent | None:
    stmt = (
        select(CreditLineEvent)
        .where(CreditLineEvent.user_id == user_id, CreditLineEvent.kind.in_(kinds))
        .order_by(CreditLineEvent.id.desc())
        .limit(1)
    )
    return s.scalars(stmt).first()


def _event(s: DbSession, account: CreditAccount, kind: str, on: date, new_line: int, reason: str) -> None:
    s.add(
        CreditLineEvent(
            user_id=account.user_id,
            kind=kind,
            occurred_on=on,
            old_line_cents=account.credit_line_cents,
            new_line_cents=new_line,
            reason=reason,
        )
    )
    account.credit_line_cents = new_line
    notices.enqueue(
        s, "line_change", account.user_id, f"line:{kind}:{account.user_id}:{on}", on_date=on, detail={"reason": reason}
    )


def freeze_and_thaw(s: DbSession, on: date, late: set[int], cured: set[int]) -> StepResult:
    result = StepResult("credit_line")
    for user_id in sorted(late | cured):
        account = s.scalars(select(CreditAccount).filter_by(user_id=user_id)).first()
        if account is None:
            continue
        frozen_now = is_frozen(s, user_id)
        last = _last_kind(s, user_id, ("freeze", "unfreeze"))
        was_frozen = last is not None and last.kind == "freeze"
        if frozen_now and not was_frozen:
            reason = "Available credit is on hold because a payment is past due; it comes back once you are current."
            _event(s, account, "freeze", on, account.credit_line_cents, reason)
            result.detail["frozen"] = result.detail.get("frozen", 0) + 1
        elif not frozen_now and was_frozen:
            _event(
                s,
                account,
                "unfreeze",
                on,
                account.credit_line_cents,
                "You are current again: available credit is back.",
            )
            result.detail["thawed"] = result.detail.get("thawed", 0) + 1
    result.loans = len(late | cured)
    return result


def raise_lines(s: DbSession, on: date, policy: ServicingPolicy) -> StepResult:
    """Raise the line of every shopper whose active loans have all been current
    for the policy's months and who had no raise in that time (bulk statements)."""
    months = policy.line_raise_on_time_months
    since = add_months(on, -months)
    on_time = (
        select(LoanServicing.user_id)
        .join(Loan, Loan.id == LoanServicing.loan_id)
        .where(Loan.status == LoanStatus.ACTIVE)
        .group_by(LoanServicing.user_id)
        .having(func.max(LoanServicing.dpd) == 0, func.max(LoanServicing.current_since) <= since)
    )
    raised_lately = select(CreditLineEvent.user_id).where(
        CreditLineEvent.kind == "raise", CreditLineEvent.occurred_on > since
    )
    accounts = s.execute(
        select(CreditAccount.id, CreditAccount.user_id, CreditAccount.credit_line_cents).where(
            CreditAccount.user_id.in_(on_time), CreditAccount.user_id.not_in(raised_lately)
        )
    ).all()
    reason = f"{months} months of on-time payments: your credit line went up."
    changes = [(a, u, old, raised_line_cents(old, policy)) for a, u, old in accounts]
    changes = [c for c in changes if c[3] > c[2]]
    if not changes:
        return StepResult("line_raise")
    s.execute(update(CreditAccount), [{"id": a, "credit_line_cents": new} for a, _, _, new in changes])
    s.execute(
        insert(CreditLineEvent),
        [
            {"user_id": u, "kind": "raise", "occurred_on": on, "old_line_cents": old, "new_line_cents": new}
            | {"reason": reason, "created_at": utcnow()}
            for _, u, old, new in changes
        ],
    )
    rows = select(
        CreditLineEvent.id, CreditLineEvent.user_id, cast(null(), BigInteger), cast(null(), BigInteger), literal(on)
    ).where(CreditLineEvent.kind == "raise", CreditLineEvent.occurred_on == on)
    notices.enqueue_from(s, "line_change", "line:raise:", rows)
    return StepResult("line_raise", len(changes), sum(new - old for _, _, old, new in changes))
