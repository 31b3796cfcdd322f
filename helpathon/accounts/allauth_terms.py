"""allauth's words that we say differently.

allauth's own German calls signing in "Anmeldung" — the word our pages use for registering
for an edition — and switches between "du" and "Sie". Marking these msgids here puts them
into our catalog, which takes precedence over allauth's, so that the account pages speak as
the rest of the site does. Nothing imports this module; makemessages reads it.
"""

from django.utils.translation import gettext_noop

TERMS = [
    gettext_noop("Sign In"),
    gettext_noop("Sign Out"),
    gettext_noop("Sign Up"),
    gettext_noop("Signup"),
    gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s."),
    gettext_noop("If you have not created an account yet, then please %(link)ssign up%(end_link)s first."),
    gettext_noop("Are you sure you want to sign out?"),
]
