"""What the chat shows: decisions, reports and forms rendered as WhatsApp-sized replies in
the reader's language (``render``), and the conflict report's questions (``conflict_form``).
May import every room below it: ``assistant.casework`` and down."""
