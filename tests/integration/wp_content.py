"""What the test WordPress holds: the demo portal's generated German stories as WordPress posts."""

from __future__ import annotations

import html
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from newsroom_demo.content import (
    TOPICS,
    Story,
    agency_copy,
    generate_story,
    person_name,
    slugify,
    update_paragraph,
)

SEED = 11
ORIGINALS = 60  # published posts from the generator (keys p0 .. p59)
COPIES_OF = "p0"  # the story three agencies also publish, near-identical, under their own slugs
AGENCY_INDEX = 10_000_000  # generator index space of agency copies (as the demo portal uses)
STICKY = "p3"
EDITED = "p5"  # day 2: text edited
FAIL_ONCE = "p9"  # night 1: its URL answers 500 once
BERLIN = ZoneInfo("Europe/Berlin")
BASE_DATE = datetime(2025, 11, 8, 18, 0, tzinfo=BERLIN)
SPREAD_MINUTES = 90 * 24 * 60
DESK = {"login": "redaktion", "display_name": "Stadtanzeiger Redaktion"}  # a collective byline
AGENCIES = ("dpa", "AFP", "Reuters")


@dataclass(frozen=True)
class Post:
    """One post or page of the plan, with the text a perfect extractor returns."""

    key: str
    story: Story
    fields: dict[str, Any]

    @property
    def paragraphs(self) -> list[str]:
        """Lead, subheadings and paragraphs as plain text, in reading order."""
        return [self.story.lead, *self.story.paragraphs]


def _wp_dates(when: datetime) -> dict[str, str]:
    return {
        "date": when.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M:%S"),
        "date_gmt": when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }


def block_content(story: Story) -> str:
    """Post content in block-editor markup: the lead and paragraphs, subheadings as <h2>."""
    subheadings = set(story.subheadings)
    blocks = []
    for text in (story.lead, *story.paragraphs):
        if text in subheadings:
            blocks.append(
                f'<!-- wp:heading -->\n<h2 class="wp-block-heading">{html.escape(text)}</h2>\n<!-- /wp:heading -->'
            )
        else:
            blocks.append(f"<!-- wp:paragraph -->\n<p>{html.escape(text)}</p>\n<!-- /wp:paragraph -->")
    return "\n\n".join(blocks)


def excerpt(story: Story) -> str:
    """The lead's first sentence, as an editor's hand-written excerpt."""
    first = story.lead.split(". ", 1)[0]
    return first if first.endswith(".") else first + "."


class Plan:
    """Users, categories and posts of day 1, and the changes of day 2, all deterministic."""

    def __init__(self) -> None:
        rng = random.Random(SEED)
        staff = list(dict.fromkeys(person_name(rng) for _ in range(12)))[:8]
        self.users = [
            {
                "login": slugify(name),
                "display_name": name,
                "first_name": name.split()[0],
                "last_name": name.split()[1],
            }
            for name in staff
        ]
        self.users.append(DESK)
        self.users += [{"login": slugify(a), "display_name": a} for a in AGENCIES]
        self.categories: list[dict[str, Any]] = []
        self.posts: dict[str, Post] = {}
        self._category_slugs: set[str] = set()
        slugs: set[str] = set()

        def unique(slug: str) -> str:
            base, n = slug, 2
            while slug in slugs:
                slug, n = f"{base}-{n}", n + 1
            slugs.add(slug)
            return slug

        def add(key: str, story: Story, when: datetime, author: str, **extra: Any) -> None:
            self.posts[key] = Post(
                key,
                story,
                {
                    "key": key,
                    "type": "post",
                    "status": "publish",
                    "title": story.title,
                    "slug": unique(slugify(story.title)),
                    "content": block_content(story),
                    "excerpt": excerpt(story),
                    "author": author,
                    "category": self._category(story, nested=len(self.posts) % 2 == 0),
                    "tags": list(story.tags),
                    **_wp_dates(when),
                    **extra,
                },
            )

        for i in range(ORIGINALS + 5):
            story = generate_story(SEED, i)
            when = BASE_DATE - timedelta(minutes=int(rng.random() * SPREAD_MINUTES))
            author = DESK["login"] if i % 10 == 4 else self.users[i % len(staff)]["login"]
            if i < ORIGINALS:
                add(f"p{i}", story, when, author, sticky=f"p{i}" == STICKY)
            elif i == ORIGINALS:
                add("draft", story, when, author, status="draft")
            elif i == ORIGINALS + 1:
                add("private", story, when, author, status="private")
            elif i == ORIGINALS + 2:
                add("password", story, when, author, password="geheim")
            elif i == ORIGINALS + 3:
                self.posts["page"] = Post(
                    "page",
                    story,
                    {
                        "key": "page",
                        "type": "page",
                        "status": "publish",
                        "title": "Impressum",
                        "slug": "impressum",
                        "content": block_content(story),
                        "author": "admin",
                        **_wp_dates(BASE_DATE - timedelta(days=120)),
                    },
                )
            else:
                self.new_story = story  # published on day 2
        original = self.posts[COPIES_OF]
        published = datetime.fromisoformat(original.fields["date_gmt"]).replace(tzinfo=UTC)
        for k, agency in enumerate(AGENCIES, start=1):
            copy = agency_copy(original.story, SEED, AGENCY_INDEX + k)
            key = f"copy{k}"
            add(key, copy, published + timedelta(minutes=15 + 35 * k), slugify(agency))
            # Same headline as the original often: the agency's slug keeps the URLs apart.
            self.posts[key].fields["slug"] = unique(f"{original.fields['slug']}-{slugify(agency)}")
            self.posts[key].fields["category"] = original.fields["category"]
        self.trashed = self._trash_candidate()
        self.edited_story = update_paragraph(self.posts[EDITED].story, SEED, 5, 2)

    def _category(self, story: Story, nested: bool) -> str:
        section = slugify(story.section)
        if section not in self._category_slugs:
            self._category_slugs.add(section)
            self.categories.append({"name": story.section, "slug": section, "parent": None})
        if not nested:
            return section
        topic = TOPICS[story.section][story.key.topic].name
        slug = f"{section}-{slugify(topic)}"
        if slug not in self._category_slugs:
            self._category_slugs.add(slug)
            self.categories.append({"name": topic, "slug": slug, "parent": section})
        return slug

    def _trash_candidate(self) -> str:
        # WordPress answers a 404 by guessing a published post whose slug starts with the missing one;
        # the trashed post's slug must be no other's prefix, or its URL would redirect instead of 404.
        slugs = {p.key: p.fields["slug"] for p in self.posts.values()}
        for key in (f"p{i}" for i in range(7, ORIGINALS)):
            if key in (STICKY, EDITED, FAIL_ONCE, COPIES_OF):
                continue
            if not any(s != slugs[key] and s.startswith(slugs[key]) for s in slugs.values()):
                return key
        raise AssertionError("no post can be trashed cleanly")

    def day1(self) -> dict[str, Any]:
        """What `wp.php apply` needs to build day 1."""
        return {
            "users": self.users,
            "categories": self.categories,
            "posts": [p.fields for p in self.posts.values()],
        }

    def day2(self, now: datetime) -> dict[str, Any]:
        """Day 2: one post edited, one new post (published an hour before `now`), one trashed."""
        new = self.new_story
        fields = {
            "key": "new",
            "type": "post",
            "status": "publish",
            "title": new.title,
            "slug": slugify(new.title) + "-neu",
            "content": block_content(new),
            "excerpt": excerpt(new),
            "author": self.users[0]["login"],
            "category": self._category(new, nested=True),
            "tags": list(new.tags),
            **_wp_dates(now - timedelta(hours=1)),
        }
        self.posts["new"] = Post("new", new, fields)
        return {
            "categories": self.categories,
            "posts": [fields],
            "edits": [{"key": EDITED, "content": block_content(self.edited_story)}],
            "trash": [self.trashed],
        }
