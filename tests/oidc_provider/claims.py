"""What the provider says about a person: name and e-mail as standard claims, and the names of
their Django groups as the "groups" claim of the ID token."""


def userinfo(claims, user):
    claims["name"] = user.get_full_name()
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["email"] = user.email
    claims["email_verified"] = True
    return claims


def groups_in_id_token(id_token, user, **kwargs):
    id_token["groups"] = sorted(user.groups.values_list("name", flat=True))
    return id_token
