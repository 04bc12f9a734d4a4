"""Product pictures drawn by the project: deterministic SVG files, nothing downloaded."""

from __future__ import annotations

import hashlib
from html import escape

SCENE_STYLE = {
    "electronics": ("#2f5bea", "#7a4fe0", "screen"),
    "home-appliances": ("#0f8b8d", "#3cbcc3", "box"),
    "furniture": ("#a0522d", "#e0a16a", "sofa"),
    "travel": ("#1c7c4a", "#8bd17c", "plane"),
    "education": ("#7a4fe0", "#c39bff", "book"),
    "health-beauty": ("#d1477a", "#ffb0c8", "drop"),
}

SHAPES = {
    "screen": '<rect x="90" y="60" width="140" height="90" rx="8" fill="#fff" opacity=".9"/><rect x="145" y="150" width="30" height="18" fill="#fff" opacity=".8"/>',
    "box": '<rect x="105" y="50" width="110" height="120" rx="10" fill="#fff" opacity=".9"/><circle cx="160" cy="115" r="32" fill="none" stroke="{c}" stroke-width="8"/>',
    "sofa": '<rect x="80" y="95" width="160" height="55" rx="14" fill="#fff" opacity=".9"/><rect x="95" y="70" width="130" height="40" rx="10" fill="#fff" opacity=".75"/>',
    "plane": '<path d="M70 120 L250 80 L260 92 L170 125 L150 170 L135 172 L140 130 L90 140 Z" fill="#fff" opacity=".9"/>',
    "book": '<path d="M90 60 h65 v110 h-65 z M165 60 h65 v110 h-65 z" fill="#fff" opacity=".9"/>',
    "drop": '<path d="M160 45 C200 100 215 125 215 145 A55 55 0 0 1 105 145 C105 125 120 100 160 45 Z" fill="#fff" opacity=".9"/>',
}


def listing_svg(title: str, scene_slug: str) -> str:
    """A 320x240 SVG card: scene colours, a scene pictogram, and the title."""
    start, end, shape = SCENE_STYLE.get(scene_slug, ("#5b6475", "#a3aabb", "box"))
    tint = int(hashlib.sha256(title.encode()).hexdigest()[:2], 16) % 60
    label = escape(title if len(title) <= 34 else title[:33] + "…")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240" viewBox="0 0 320 240">'
        f'<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="{start}"/>'
        f'<stop offset="1" stop-color="{end}"/></linearGradient></defs>'
        '<rect width="320" height="240" fill="url(#g)"/>'
        f'<circle cx="{260 - tint}" cy="{40 + tint // 2}" r="{30 + tint // 3}" fill="#fff" opacity=".12"/>'
        + SHAPES[shape].format(c=start)
        + f'<text x="160" y="215" font-family="sans-serif" font-size="15" fill="#fff" text-anchor="middle">{label}</text>'
        "</svg>"
    )
