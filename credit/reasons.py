"""Adverse action reasons in plain words, and the notice text.

Every stage reports reason *codes*; this module owns their wording. The
wording names the characteristic that hurt the application ("length of
employment"), never the score itself, in the style of Regulation B's sample
reasons. At most four principal reasons are given.
"""

from __future__ import annotations

from datetime import date

MAX_REASONS = 4

REASON_TEXT: dict[str, str] = {
    # gates
    "consent_missing": "consent to process your application was not given",
    "consent_outdated": "consent was given to an outdated statement; please review and consent again",
    "missing_fields": "the application is incomplete",
    "under_age": "age below the minimum to enter a credit agreement",
    "region_not_served": "we do not offer credit in your state",
    "amount_out_of_bounds": "amount requested is outside the range we finance",
    # fraud and abuse
    "velocity_account": "too many credit applications in a short time",
    "velocity_device": "too many credit applications in a short time",
    "velocity_ip": "too many credit applications in a short time",
    "velocity_id_hash": "too many credit applications in a short time",
    "shared_national_id": "unable to verify your identity",
    "disposable_email": "unable to verify your e-mail address",
    "region_mismatch": "shipping address does not match billing address",
    "repeated_declines": "recent applications were declined",
    # behaviour (own loans)
    "charged_off_with_us": "a previous loan with us was charged off",
    "past_due_with_us": "a loan with us is past due",
    "late_payments_with_us": "late payments on loans with us",
    # policy
    "ability_to_repay": "income too low for the requested payment",
    "max_exposure": "too much credit already outstanding with us",
    "no_offer_for_amount": "amount requested is more than the credit we can offer for this purchase",
    "manual_review": "your application needs a review by our staff",
    # scorecard characteristics
    "duration_in_month": "length of the repayment term requested",
    "credit_amount": "amount of credit requested",
    "installment_rate_in_percentage_of_disposable_income": "size of the payment compared with your income",
    "present_employment_since": "length of employment",
    "savings_account_and_bonds": "level of savings",
    "status_of_existing_checking_account": "balance of your checking account",
    "purpose": "type of purchase",
    "other_installment_plans": "other installment credit you already have",
    "housing": "housing status",
    "present_residence_since": "length of time at your address",
}

CREDITOR = "Installmall Credit"
AGENCY = "Consumer Financial Protection Bureau, 1700 G Street NW, Washington, DC 20552"


def reason_text(code: str) -> str:
    return REASON_TEXT[code]


def principal_reasons(codes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Up to four distinct plain-word reasons, in the order given (duplicated wording collapses)."""
    seen: list[str] = []
    for code in codes:
        text = REASON_TEXT[code]
        if text not in seen:
            seen.append(text)
        if len(seen) == MAX_REASONS:
            break
    return tuple(seen)


def adverse_action_notice(
    outcome: str, reasons: tuple[str, ...] | list[str], decided_on: date, applicant_name: str | None = None
) -> str | None:
    """Notice text for a declined application (None for other outcomes).

    Statement of the action, the principal reasons, the applicant's right to
    know them, and the ECOA notice.
    """
    if outcome != "declined":
        return None
    lines = [
        f"Date: {decided_on.isoformat()}",
        f"Dear {applicant_name}," if applicant_name else "Dear applicant,",
        "",
        "Thank you for applying for installment credit at Installmall. After careful review, "
        "we are unable to approve your application at this time.",
        "",
        "Principal reason(s) for our decision:",
        *[f"  - {r[0].upper()}{r[1:]}" for r in reasons],
        "",
        "You have the right to a statement of the specific reasons for this decision. If you "
        "would like more detail, write to us within 60 days of this notice and we will tell you "
        "within 30 days of receiving your request.",
        "",
        "Our decision was based in whole or in part on information you gave us and on our own "
        "records of any loans you have with us. We did not obtain a consumer report.",
        "",
        "NOTICE: The federal Equal Credit Opportunity Act prohibits creditors from discriminating "
        "against credit applicants on the basis of race, color, religion, national origin, sex, "
        "marital status, age (provided the applicant has the capacity to enter into a binding "
        "contract); because all or part of the applicant's income derives from any public "
        "assistance program; or because the applicant has in good faith exercised any right "
        "under the Consumer Credit Protection Act. The federal agency that administers "
        f"compliance with this law concerning this creditor is the {AGENCY}.",
        "",
        CREDITOR,
    ]
    return "\n".join(lines)
