"""Default wording of the decision letters (French, the Region's), as data: every new call
starts with one template per outcome, which officers then edit in the admin. Placeholders
in braces are listed in evaluation/letter_rendering.py."""

OPENING = (
    "Objet : {subject}\n"
    "Réf. : {reference}\n\n"
    "Madame, Monsieur,\n\n"
    "Vous avez déposé, au nom du collectif « {collective} » dont {lead} est chef de file, "
    "le dossier {dossier} intitulé « {project} » en réponse à l'appel à projets « {call} » "
    "de la Région Hauts-de-France.\n\n"
)
CLOSING = ("Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations "
           "distinguées.")
APPEAL = (
    "La présente décision peut faire l'objet d'un recours gracieux auprès du Président du "
    "Conseil régional ou d'un recours contentieux devant le tribunal administratif de Lille "
    "dans un délai de deux mois à compter de sa notification.\n\n"
)
COMMON = {
    "dateline": "Lille, le {date}",
    "correction_notice": (
        "La présente lettre annule et remplace la lettre {previous_reference} du "
        "{previous_date}. Motif de la rectification : {correction_reason}"),
    "signatory_role": ("Pour le Président du Conseil régional et par délégation,\n"
                       "le Directeur de la formation professionnelle"),
    "signatory_name": "",
}
DEFAULTS = {
    "selected": {
        "subject": "Appel à projets « {call} » – attribution d'une subvention",
        "body": OPENING + (
            "J'ai le plaisir de vous informer qu'à l'issue de l'instruction et de l'évaluation "
            "des dossiers, la Région a décidé de retenir votre projet et de vous attribuer une "
            "subvention d'un montant de {amount}, soit un taux de {rate} appliqué à l'assiette "
            "éligible de {eligible_base} (hors frais de formation).\n\n"
            "Cette subvention fera l'objet d'une convention précisant ses modalités de "
            "versement et de suivi. Le projet devra être achevé au plus tard le {end_date}.\n\n"
            "Les services de la Direction de la formation professionnelle restent à votre "
            "disposition pour toute information complémentaire ({contact}).\n\n" + CLOSING),
    },
    "rejected": {
        "subject": "Appel à projets « {call} » – décision relative à votre candidature",
        "body": OPENING + (
            "J'ai le regret de vous informer qu'à l'issue de l'instruction et de l'évaluation "
            "des dossiers, votre projet n'a pas été retenu, pour les motifs suivants :\n\n"
            "{reasons}\n\n"
            "Cette décision ne préjuge pas de l'intérêt que la Région porte à votre démarche. "
            "Les services de la Direction de la formation professionnelle se tiennent à votre "
            "disposition pour vous présenter les éléments d'appréciation de votre dossier "
            "({contact}).\n\n" + APPEAL + CLOSING),
    },
    "waitlisted": {
        "subject": "Appel à projets « {call} » – inscription sur liste d'attente",
        "body": OPENING + (
            "J'ai l'honneur de vous informer qu'à l'issue de l'instruction et de l'évaluation "
            "des dossiers, votre projet n'a pas été retenu à ce stade mais a été inscrit sur "
            "la liste d'attente de l'appel à projets.\n\n"
            "Cette inscription signifie que votre projet pourra être retenu si des crédits de "
            "l'enveloppe de l'appel à projets deviennent disponibles, notamment en cas de "
            "désistement d'un projet lauréat. Elle ne vaut pas engagement de la Région à vous "
            "attribuer une subvention. Une nouvelle décision vous sera notifiée par courrier "
            "dès que possible.\n\n"
            "Les services de la Direction de la formation professionnelle restent à votre "
            "disposition pour toute information complémentaire ({contact}).\n\n" + CLOSING),
    },
}


def typeset(text):
    """French typography: no-break spaces inside « » and before : and ;, curly apostrophes."""
    return (text.replace("« ", "«\u00a0").replace(" »", "\u00a0»").replace(" :", "\u00a0:")
            .replace(" ;", "\u00a0;").replace("'", "\u2019"))


def create_defaults(LetterTemplate, call):
    """The default templates for `call` (one per outcome), leaving existing ones alone."""
    for outcome, texts in DEFAULTS.items():
        LetterTemplate.objects.get_or_create(
            call=call, outcome=outcome,
            defaults={key: typeset(value) for key, value in {**COMMON, **texts}.items()})
