from django.urls import path

from .views import collectives, directory, invitations, organisations

app_name = "consortia"
urlpatterns = [
    # organisations
    path("organisations/", organisations.my_organisations, name="organisations"),
    path("organisations/nouvelle/", organisations.create, name="organisation_create"),
    path("organisations/<int:pk>/", organisations.detail, name="organisation"),
    path("organisations/<int:pk>/modifier/", organisations.edit, name="organisation_edit"),
    path("organisations/<int:pk>/preuve-numerique/", organisations.digital_proof,
         name="digital_proof"),
    path("organisations/<int:pk>/inviter/", organisations.invite_member, name="member_invite"),
    path("organisations/<int:pk>/rejoindre/", organisations.ask_to_join, name="ask_to_join"),
    path("organisations/demandes/<int:pk>/", organisations.decide_join_request,
         name="join_request_decide"),
    # collectives
    path("collectifs/", collectives.my_collectives, name="collectives"),
    path("appels/<slug:slug>/collectifs/nouveau/", collectives.create, name="collective_create"),
    path("collectifs/<int:pk>/", collectives.detail, name="collective"),
    path("collectifs/<int:pk>/inviter/", collectives.invite_partner, name="partner_invite"),
    path("collectifs/<int:pk>/partenaires/<int:participation_pk>/retirer/",
         collectives.withdraw_partner, name="partner_withdraw"),
    path("invitations/<int:pk>/renvoyer/", invitations.resend, name="invitation_resend"),
    path("invitations/<int:pk>/retirer/", invitations.retract, name="invitation_retract"),
    path("invitations/<str:token>/", invitations.answer, name="invitation"),
    # partner directory
    path("annuaire/", directory.search, name="directory"),
    path("annuaire/<int:pk>/ecrire/", directory.contact, name="directory_contact"),
    path("annuaire/quitter/<int:pk>/", directory.leave, name="directory_leave"),
]
