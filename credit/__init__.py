"""Installmall's credit module.

Pure modules (money, schedule, apr, disclosure, servicing, engine, offers...)
import neither Flask nor SQLAlchemy: ints (cents), Decimal rates and dates in,
plain values out.
"""
