// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title DataNetRegistry
/// @notice DataNets with owners, contributors and staked validators (docs/datanets.md).
///  - A DataNet (id = keccak256(utf8(name))) has an owner, a policy (Owner: the owner's ballot
///    decides; Validators: `quorum` approving ballots of validators staked >= minStake decide) and a
///    metadata hash (purpose, format, standards).
///  - Validators stake native tokens per DataNet; requestUnstake starts an unbonding delay, then
///    withdraw pays out. Unbonding stake can still be slashed.
///  - Votes are batched: the documents of a round are committed as docsRoot; each voter signs ONE
///    EIP-712 Ballot(datanet, round, votesRoot) where votesRoot is the root of its own
///    [docId, approve] leaves; the poster submits every ballot of the round in one submitTally.
///  - Each published version is one transaction: the root over [docId, contentHash, contributor] of
///    every approved document, and the version number (strictly +1).
///  - challenge: inside the challenge window, the owner proves a document is in a version and that
///    each listed validator approved it (against its signed ballot root); each loses slashPpm of its
///    stake to the DataNet's treasury.
///  - challengeByQuorum: the same, but the challenge is made by a quorum instead of the owner: at
///    least `quorum` distinct validators, each with active stake >= minStake (the rule a ballot
///    counts by), sign EIP-712 Challenge(datanet, docId, version) off chain and anyone submits the
///    signatures in one transaction, ordered by signer address. Under the Owner policy no validator
///    votes, so there is no quorum: such a challenge reverts QuorumChallengeUnsupported.
///  Leaves are OpenZeppelin StandardMerkleTree leaves: keccak256(bytes.concat(keccak256(abi.encode(...)))).
contract DataNetRegistry is Ownable, ReentrancyGuard, EIP712 {
    enum Policy {
        Owner,
        Validators
    }

    struct Params {
        Policy policy;
        /// approving ballots a document needs (Owner policy: 1)
        uint16 quorum;
        /// fraction of an approving validator's stake an upheld challenge takes, ppm
        uint32 slashPpm;
        /// seconds a round accepts ballots after it opens
        uint64 votingPeriod;
        /// seconds after a version is published during which its documents can be challenged
        uint64 challengeWindow;
        /// seconds between requestUnstake and withdraw
        uint64 unbondingDelay;
        /// least active stake (wei) whose ballot counts
        uint256 minStake;
    }

    struct DataNet {
        address owner;
        bytes32 metadataHash;
        Params params;
        uint64 rounds;
        uint64 version;
        uint256 treasury;
    }

    struct Round {
        bytes32 docsRoot;
        uint32 docCount;
        uint64 deadline;
        bool tallied;
    }

    struct Version {
        bytes32 root;
        uint32 docCount;
        uint64 publishedAt;
    }

    struct Stake {
        uint256 active;
        uint256 unbonding;
        uint64 unbondAt;
    }

    struct Ballot {
        address voter;
        bytes32 votesRoot;
        bytes signature;
    }

    /// A validator's signed Challenge(datanet, docId, version).
    struct ChallengeSignature {
        address validator;
        bytes signature;
    }

    /// A document of a version and the round that voted on it.
    struct ChallengedDoc {
        bytes32 docId;
        bytes32 contentHash;
        address contributor;
        uint64 version;
        uint64 round;
        bytes32[] proof;
    }

    uint32 public constant PPM = 1_000_000;
    bytes32 public constant BALLOT_TYPEHASH = keccak256("Ballot(bytes32 datanet,uint64 round,bytes32 votesRoot)");
    bytes32 public constant CHALLENGE_TYPEHASH = keccak256("Challenge(bytes32 datanet,bytes32 docId,uint64 version)");

    /// @notice The operator's key: may open rounds, submit tallies and publish for any DataNet.
    address public poster;
    mapping(bytes32 => DataNet) private _datanets;
    mapping(bytes32 => mapping(uint64 => Round)) private _rounds;
    mapping(bytes32 => mapping(uint64 => Version)) private _versions;
    mapping(bytes32 => mapping(address => Stake)) private _stakes;
    /// datanet => round => voter => its signed votes root (0 = no ballot)
    mapping(bytes32 => mapping(uint64 => mapping(address => bytes32))) private _ballots;
    /// datanet => docId => challenge upheld
    mapping(bytes32 => mapping(bytes32 => bool)) public challenged;

    event PosterChanged(address indexed previousPoster, address indexed newPoster);
    event DataNetCreated(bytes32 indexed datanet, address indexed owner, string name, bytes32 metadataHash, Params params);
    event Staked(bytes32 indexed datanet, address indexed validator, uint256 amount, uint256 active);
    event UnstakeRequested(bytes32 indexed datanet, address indexed validator, uint256 amount, uint64 unbondAt);
    event Withdrawn(bytes32 indexed datanet, address indexed validator, uint256 amount);
    event RoundOpened(bytes32 indexed datanet, uint64 indexed round, bytes32 docsRoot, uint32 docCount, uint64 deadline);
    event TallySubmitted(bytes32 indexed datanet, uint64 indexed round, bytes32 votesRoot, uint32 approved, uint32 rejected, uint32 ballots);
    event BallotCounted(bytes32 indexed datanet, uint64 indexed round, address indexed voter, bytes32 votesRoot);
    event VersionPublished(bytes32 indexed datanet, uint64 indexed version, bytes32 root, uint32 docCount);
    event ChallengeUpheld(bytes32 indexed datanet, bytes32 indexed docId, uint64 version, address challenger);
    event ChallengedByQuorum(bytes32 indexed datanet, bytes32 indexed docId, uint64 version, address[] challengers);
    event Slashed(bytes32 indexed datanet, address indexed validator, bytes32 indexed docId, uint256 amount);
    event TreasuryWithdrawn(bytes32 indexed datanet, address indexed to, uint256 amount);

    error ZeroAddress();
    error DataNetExists(bytes32 datanet);
    error UnknownDataNet(bytes32 datanet);
    error BadParams(string reason);
    error NotDataNetOwner(address caller);
    error NotOwnerOrPoster(address caller);
    error ZeroAmount();
    error InsufficientStake(uint256 active, uint256 requested);
    error UnbondingNotOver(uint64 unbondAt, uint64 now_);
    error NothingToWithdraw();
    error UnknownRound(uint64 round);
    error VotingClosed(uint64 round, uint64 deadline);
    error AlreadyTallied(uint64 round);
    error ForgedSignature(address claimed, address recovered);
    error NotValidator(address voter);
    error StakeBelowMinimum(address voter, uint256 active, uint256 minStake);
    error DoubleVote(address voter, uint64 round);
    error StaleVersion(uint64 expected, uint64 got);
    error EmptyRoot();
    error UnknownVersion(uint64 version);
    error ChallengeWindowClosed(uint64 version, uint64 closedAt);
    error NotInVersion(bytes32 docId, uint64 version);
    error AlreadyChallenged(bytes32 docId);
    error DidNotApprove(address validator, bytes32 docId);
    error ApproversNotAscending(address validator);
    error DuplicateChallenger(address validator);
    error ChallengersNotSorted(address validator);
    error QuorumNotReached(uint256 challengers, uint16 quorum);
    error QuorumChallengeUnsupported(bytes32 datanet);
    error TransferFailed();

    constructor(address poster_) Ownable(msg.sender) EIP712("loraledger-datanets", "1") {
        if (poster_ == address(0)) revert ZeroAddress();
        poster = poster_;
        emit PosterChanged(address(0), poster_);
    }

    function setPoster(address newPoster) external onlyOwner {
        if (newPoster == address(0)) revert ZeroAddress();
        emit PosterChanged(poster, newPoster);
        poster = newPoster;
    }

    // ---- DataNets ----

    /// @notice Creates DataNet `name` (id keccak256(utf8(name))) owned by `owner_`; sent by the owner
    ///  itself or by the poster relaying the owner's signed request.
    function createDataNet(
        string calldata name,
        address owner_,
        bytes32 metadataHash,
        Params calldata p
    ) external returns (bytes32 id) {
        if (owner_ == address(0)) revert ZeroAddress();
        if (msg.sender != owner_ && msg.sender != poster) revert NotOwnerOrPoster(msg.sender);
        id = keccak256(bytes(name));
        if (_datanets[id].owner != address(0)) revert DataNetExists(id);
        if (bytes(name).length == 0 || bytes(name).length > 64) revert BadParams("name length");
        if (p.slashPpm > PPM) revert BadParams("slashPpm > 1e6");
        if (p.quorum == 0) revert BadParams("quorum 0");
        if (p.policy == Policy.Owner && p.quorum != 1) revert BadParams("owner policy quorum must be 1");
        if (p.votingPeriod == 0) revert BadParams("votingPeriod 0");
        DataNet storage d = _datanets[id];
        d.owner = owner_;
        d.metadataHash = metadataHash;
        d.params = p;
        emit DataNetCreated(id, owner_, name, metadataHash, p);
    }

    function dataNet(bytes32 id) external view returns (DataNet memory) {
        return _get(id);
    }

    // ---- stakes ----

    function stake(bytes32 id) external payable {
        _get(id);
        if (msg.value == 0) revert ZeroAmount();
        Stake storage s = _stakes[id][msg.sender];
        s.active += msg.value;
        emit Staked(id, msg.sender, msg.value, s.active);
    }

    /// @notice Moves `amount` of active stake to unbonding; the delay restarts for the whole unbonding amount.
    function requestUnstake(bytes32 id, uint256 amount) external {
        DataNet storage d = _get(id);
        Stake storage s = _stakes[id][msg.sender];
        if (amount == 0) revert ZeroAmount();
        if (amount > s.active) revert InsufficientStake(s.active, amount);
        s.active -= amount;
        s.unbonding += amount;
        s.unbondAt = uint64(block.timestamp) + d.params.unbondingDelay;
        emit UnstakeRequested(id, msg.sender, amount, s.unbondAt);
    }

    function withdraw(bytes32 id) external nonReentrant {
        _get(id);
        Stake storage s = _stakes[id][msg.sender];
        uint256 amount = s.unbonding;
        if (amount == 0) revert NothingToWithdraw();
        if (block.timestamp < s.unbondAt) revert UnbondingNotOver(s.unbondAt, uint64(block.timestamp));
        s.unbonding = 0;
        _pay(msg.sender, amount);
        emit Withdrawn(id, msg.sender, amount);
    }

    function stakeOf(bytes32 id, address validator) external view returns (Stake memory) {
        return _stakes[id][validator];
    }

    // ---- rounds, ballots, versions ----

    /// @notice Commits a batch of pending documents (root over [docId, contentHash, contributor]) to a vote.
    function openRound(bytes32 id, bytes32 docsRoot, uint32 docCount) external returns (uint64 round) {
        DataNet storage d = _get(id);
        _onlyOwnerOrPoster(d);
        if (docsRoot == bytes32(0) || docCount == 0) revert EmptyRoot();
        round = ++d.rounds;
        uint64 deadline = uint64(block.timestamp) + d.params.votingPeriod;
        _rounds[id][round] = Round(docsRoot, docCount, deadline, false);
        emit RoundOpened(id, round, docsRoot, docCount, deadline);
    }

    function roundOf(bytes32 id, uint64 round) external view returns (Round memory) {
        return _rounds[id][round];
    }

    /// @notice EIP-712 digest a voter signs for its ballot of `round`.
    function ballotDigest(bytes32 id, uint64 round, bytes32 votesRoot) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(BALLOT_TYPEHASH, id, round, votesRoot)));
    }

    /// @notice Counts every signed ballot of a round in one transaction (before its deadline) and
    ///  records the poster's tally: `votesRoot` over [voter, docId, approve] and the decision counts.
    function submitTally(
        bytes32 id,
        uint64 round,
        bytes32 votesRoot,
        uint32 approved,
        uint32 rejected,
        Ballot[] calldata ballots
    ) external {
        DataNet storage d = _get(id);
        _onlyOwnerOrPoster(d);
        Round storage r = _rounds[id][round];
        if (r.deadline == 0) revert UnknownRound(round);
        if (r.tallied) revert AlreadyTallied(round);
        if (block.timestamp > r.deadline) revert VotingClosed(round, r.deadline);
        if (votesRoot == bytes32(0) || ballots.length == 0) revert EmptyRoot();
        for (uint256 i = 0; i < ballots.length; i++) _count(id, d, round, ballots[i]);
        r.tallied = true;
        emit TallySubmitted(id, round, votesRoot, approved, rejected, uint32(ballots.length));
    }

    function ballotOf(bytes32 id, uint64 round, address voter) external view returns (bytes32) {
        return _ballots[id][round][voter];
    }

    /// @notice Publishes version `version` (must be the latest + 1): the root over every approved document.
    function publishVersion(bytes32 id, uint64 version, bytes32 root, uint32 docCount) external {
        DataNet storage d = _get(id);
        _onlyOwnerOrPoster(d);
        if (version != d.version + 1) revert StaleVersion(d.version + 1, version);
        if (root == bytes32(0)) revert EmptyRoot();
        d.version = version;
        _versions[id][version] = Version(root, docCount, uint64(block.timestamp));
        emit VersionPublished(id, version, root, docCount);
    }

    function versionOf(bytes32 id, uint64 version) external view returns (Version memory) {
        return _versions[id][version];
    }

    // ---- challenges ----

    /// @notice Upholds the owner's challenge (sent by the owner, or by the poster relaying the
    ///  owner's signed request) of an approved document within the version's challenge window; each
    ///  listed validator (in ascending address order), proved to have approved it in `doc.round`,
    ///  loses slashPpm of its stake (active first, then unbonding) to the treasury.
    function challenge(
        bytes32 id,
        ChallengedDoc calldata doc,
        address[] calldata approvers,
        bytes32[][] calldata voteProofs
    ) external {
        DataNet storage d = _get(id);
        _onlyOwnerOrPoster(d);
        _uphold(id, d, doc, approvers, voteProofs);
    }

    /// @notice EIP-712 digest a validator signs to challenge `docId` of `version`.
    function challengeDigest(bytes32 id, bytes32 docId, uint64 version) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(CHALLENGE_TYPEHASH, id, docId, version)));
    }

    /// @notice Upholds a quorum's challenge (sent by anyone): `signatures`, in strictly ascending
    ///  validator order, are at least `quorum` EIP-712 Challenge(id, doc.docId, doc.version) signatures
    ///  of validators with active stake >= minStake. Then as `challenge`: the window, the document's
    ///  proof, each approver's proof, and the slashing.
    function challengeByQuorum(
        bytes32 id,
        ChallengedDoc calldata doc,
        address[] calldata approvers,
        bytes32[][] calldata voteProofs,
        ChallengeSignature[] calldata signatures
    ) external {
        DataNet storage d = _get(id);
        if (d.params.policy != Policy.Validators) revert QuorumChallengeUnsupported(id);
        address[] memory challengers = _quorum(id, d, challengeDigest(id, doc.docId, doc.version), signatures);
        _uphold(id, d, doc, approvers, voteProofs);
        emit ChallengedByQuorum(id, doc.docId, doc.version, challengers);
    }

    function withdrawTreasury(bytes32 id, address to) external nonReentrant {
        DataNet storage d = _get(id);
        if (msg.sender != d.owner) revert NotDataNetOwner(msg.sender);
        if (to == address(0)) revert ZeroAddress();
        uint256 amount = d.treasury;
        if (amount == 0) revert NothingToWithdraw();
        d.treasury = 0;
        _pay(to, amount);
        emit TreasuryWithdrawn(id, to, amount);
    }

    // ---- internals ----

    function _get(bytes32 id) private view returns (DataNet storage d) {
        d = _datanets[id];
        if (d.owner == address(0)) revert UnknownDataNet(id);
    }

    function _onlyOwnerOrPoster(DataNet storage d) private view {
        if (msg.sender != d.owner && msg.sender != poster) revert NotOwnerOrPoster(msg.sender);
    }

    /// Reverts ForgedSignature unless `signature` over `digest` recovers to `claimed`.
    function _checkSigner(bytes32 digest, address claimed, bytes calldata signature) private pure {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(digest, signature);
        if (err != ECDSA.RecoverError.NoError || signer != claimed) revert ForgedSignature(claimed, signer);
    }

    /// Reverts unless `who` may vote under the Validators policy: active stake > 0 and >= minStake.
    function _checkValidator(bytes32 id, DataNet storage d, address who) private view {
        uint256 active = _stakes[id][who].active;
        if (active == 0) revert NotValidator(who);
        if (active < d.params.minStake) revert StakeBelowMinimum(who, active, d.params.minStake);
    }

    function _count(bytes32 id, DataNet storage d, uint64 round, Ballot calldata b) private {
        _checkSigner(ballotDigest(id, round, b.votesRoot), b.voter, b.signature);
        if (d.params.policy == Policy.Owner) {
            if (b.voter != d.owner) revert NotValidator(b.voter);
        } else {
            _checkValidator(id, d, b.voter);
        }
        if (_ballots[id][round][b.voter] != bytes32(0)) revert DoubleVote(b.voter, round);
        if (b.votesRoot == bytes32(0)) revert EmptyRoot();
        _ballots[id][round][b.voter] = b.votesRoot;
        emit BallotCounted(id, round, b.voter, b.votesRoot);
    }

    /// The signers of a quorum challenge: each signature checked, each signer a validator, strictly
    ///  ascending (so none counts twice), at least `quorum` of them.
    function _quorum(
        bytes32 id,
        DataNet storage d,
        bytes32 digest,
        ChallengeSignature[] calldata signatures
    ) private view returns (address[] memory challengers) {
        challengers = new address[](signatures.length);
        address previous = address(0);
        for (uint256 i = 0; i < signatures.length; i++) {
            address v = signatures[i].validator;
            if (v <= previous) {
                if (v == previous) revert DuplicateChallenger(v);
                revert ChallengersNotSorted(v);
            }
            _checkSigner(digest, v, signatures[i].signature);
            _checkValidator(id, d, v);
            challengers[i] = v;
            previous = v;
        }
        if (signatures.length < d.params.quorum) revert QuorumNotReached(signatures.length, d.params.quorum);
    }

    /// The upheld path shared by both challenges: inside the version's window, the document proved
    ///  in the version and not challenged before; then each approver (strictly ascending, so none is
    ///  slashed twice) proved to have approved it in `doc.round` loses slashPpm of its stake.
    function _uphold(
        bytes32 id,
        DataNet storage d,
        ChallengedDoc calldata doc,
        address[] calldata approvers,
        bytes32[][] calldata voteProofs
    ) private {
        Version storage v = _versions[id][doc.version];
        if (v.publishedAt == 0) revert UnknownVersion(doc.version);
        uint64 closes = v.publishedAt + d.params.challengeWindow;
        if (block.timestamp > closes) revert ChallengeWindowClosed(doc.version, closes);
        if (challenged[id][doc.docId]) revert AlreadyChallenged(doc.docId);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(doc.docId, doc.contentHash, doc.contributor))));
        if (!MerkleProof.verifyCalldata(doc.proof, v.root, leaf)) revert NotInVersion(doc.docId, doc.version);
        challenged[id][doc.docId] = true;
        emit ChallengeUpheld(id, doc.docId, doc.version, msg.sender);
        address previous = address(0);
        for (uint256 i = 0; i < approvers.length; i++) {
            if (approvers[i] <= previous) revert ApproversNotAscending(approvers[i]);
            previous = approvers[i];
            _slashApprover(id, d, doc.docId, doc.round, previous, voteProofs[i]);
        }
    }

    /// Slashes `validator` once its ballot of `round` is proved to approve `docId`.
    function _slashApprover(
        bytes32 id,
        DataNet storage d,
        bytes32 docId,
        uint64 round,
        address validator,
        bytes32[] calldata voteProof
    ) private {
        bytes32 ballot = _ballots[id][round][validator];
        bytes32 approveLeaf = keccak256(bytes.concat(keccak256(abi.encode(docId, true))));
        if (ballot == bytes32(0) || !MerkleProof.verifyCalldata(voteProof, ballot, approveLeaf))
            revert DidNotApprove(validator, docId);
        _slash(id, d, validator, docId);
    }

    function _slash(bytes32 id, DataNet storage d, address validator, bytes32 docId) private {
        Stake storage s = _stakes[id][validator];
        uint256 amount = ((s.active + s.unbonding) * d.params.slashPpm) / PPM;
        uint256 fromActive = amount <= s.active ? amount : s.active;
        s.active -= fromActive;
        s.unbonding -= amount - fromActive;
        d.treasury += amount;
        emit Slashed(id, validator, docId, amount);
    }

    function _pay(address to, uint256 amount) private {
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }
}
