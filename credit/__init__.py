"""Installmall's credit module.

Pure modules (money, schedule, apr, disclosure, interest, servicing,
allocation, pricing, engine, offers...) import neither Flask nor SQLAlchemy
(nor werkzeug, stripe or shop): ints (cents), Decimal rates and dates in,
plain values out.
"""
