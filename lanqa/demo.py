"""A demo session full of realistic questions, for trying LanQA out and for benchmarks."""

import random

from lanqa.order import new_secret, new_ulid

# (question, name or None, votes, minutes ago, state)
QUESTIONS = [
    (
        "How do phones join if the venue Wi-Fi blocks devices from seeing each other?",
        "Priya",
        41,
        52,
        "answered",
    ),
    ("Can we export the questions to a spreadsheet after the talk?", None, 35, 50, "answered"),
    ("What happens to the questions when the laptop goes to sleep?", "Tomás", 29, 47, "answered"),
    ("Is there a limit to how many people can join at once?", None, 27, 45, "open"),
    ("How do you stop one person from voting a hundred times?", "Mei", 24, 44, "answered"),
    ("Does it work without any internet connection at all?", None, 22, 43, "open"),
    ("Could the speaker see which questions came in most recently?", "Jonas", 19, 41, "open"),
    ("Why not use Bluetooth instead of Wi-Fi for the phones?", None, 17, 40, "open"),
    ("What was the hardest bug you hit while building this?", "Amara", 16, 38, "open"),
    ("How long are questions kept before they are deleted?", None, 15, 37, "answered"),
    ("Will there be a recording of this session?", "Lukas", 14, 35, "open"),
    ("Can I moderate questions before they appear on the screen?", None, 13, 34, "open"),
    ("Which Python web server did you pick, and why?", "Sofia", 12, 33, "open"),
    ("Is the QR code safe to print on posters before the event?", None, 11, 31, "open"),
    ("Do you plan to support polls or quizzes as well?", "Kenji", 10, 30, "open"),
    ("How do you keep the list from jumping while I scroll on my phone?", None, 9, 29, "open"),
    ("What does the projector view show to the back of the room?", "Olu", 9, 27, "open"),
    ("Can two speakers share the same host view?", None, 8, 26, "open"),
    ("How much battery does running the server drain from a laptop?", "Hana", 8, 25, "open"),
    ("Is there a dark mode for the people in the audience?", None, 7, 23, "answered"),
    ("What stops someone from seeing the host link over my shoulder?", "Marco", 7, 22, "open"),
    ("Buy cheap watches at my totally legit website now", None, 0, 21, "hidden"),
    ("How do you test something that needs a hundred phones?", "Ines", 6, 20, "open"),
    ("Could it work on a Raspberry Pi instead of a laptop?", None, 6, 19, "open"),
    ("What happens if two people ask the exact same question?", "Dev", 5, 18, "open"),
    ("Can guests edit or delete a question after sending it?", None, 5, 16, "open"),
    ("Is my name shown to everyone if I sign a question?", "Chloe", 5, 15, "open"),
    ("Any tips for speakers who get no questions at all?", None, 4, 14, "open"),
    ("You are wrong about everything and should feel bad", None, 0, 13, "hidden"),
    ("How is the order of the questions decided?", "Ravi", 4, 12, "open"),
    ("Does the app collect any data about the audience?", None, 3, 11, "open"),
    ("Could we get a Markdown export for our meeting notes?", "Greta", 3, 10, "open"),
    ("Which phones and browsers are supported?", None, 3, 9, "open"),
    ("What is the license, and can we use it at work?", "Yusuf", 2, 8, "open"),
    ("Will it remember my session if I restart the laptop?", None, 2, 7, "open"),
    ("Can the audience see questions that were already answered?", "Lena", 2, 6, "open"),
    ("How do I make the QR code bigger for a large hall?", None, 1, 5, "open"),
    ("Why did you choose SQLite over a bigger database?", "Ahmed", 1, 3, "open"),
    ("Can I ask a follow-up to an answered question?", None, 1, 2, "open"),
    ("What is next on the roadmap after this release?", "Nora", 1, 1, "open"),
]


def create_demo(store, now, rng=None):
    """Create the demo session in store; returns (event id, secret)."""
    rng = rng or random.Random(7)
    eid, secret = new_ulid(now - 60 * 60), new_secret()
    store.create_event(eid, secret, "Demo: building offline-first apps", now - 60 * 60)
    for number, (text, who, votes, minutes, state) in enumerate(QUESTIONS):
        asked = now - minutes * 60 - rng.randint(0, 59)
        qid = new_ulid(asked)
        store.ask(eid, qid, text, who, f"demo-asker-{number}", asked)
        for voter in range(1, votes):
            store.vote(qid, f"demo-voter-{voter}", True, now)
        if state == "answered":
            store.set_flag(eid, qid, "answered", int(now - minutes * 30), now)
        if state == "hidden":
            store.set_flag(eid, qid, "hidden", 1, now)
    return eid, secret
