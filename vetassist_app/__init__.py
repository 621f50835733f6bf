"""VetAssist staff portal (Reflex). The app object lives in `vetassist_app.vetassist_app`."""
